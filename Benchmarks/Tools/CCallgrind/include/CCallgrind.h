// Callgrind client requests for the Pipeline tool (valgrind.h's macros are inline assembly that Swift
// cannot import). Outside valgrind each call is a handful of no-op instructions.
#ifndef HERALD_CCALLGRIND_H
#define HERALD_CCALLGRIND_H

/// Non-zero when the process runs under valgrind.
int herald_running_on_valgrind(void);
/// Callgrind: writes the costs collected since the last dump (all threads) to a new dump file
/// labelled `reason`, and zeroes them. No-op outside callgrind.
void herald_callgrind_dump(const char *reason);
/// Callgrind: zeroes the costs collected so far (set-up before the measured part).
void herald_callgrind_zero(void);

#endif
