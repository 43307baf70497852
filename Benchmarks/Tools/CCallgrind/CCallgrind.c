#include "CCallgrind.h"
#if defined(__has_include)
#  if __has_include(<valgrind/callgrind.h>)
#    include <valgrind/callgrind.h>
#    define HERALD_HAVE_VALGRIND 1
#  endif
#endif

int herald_running_on_valgrind(void) {
#ifdef HERALD_HAVE_VALGRIND
    return RUNNING_ON_VALGRIND;
#else
    return 0;
#endif
}

void herald_callgrind_dump(const char *reason) {
#ifdef HERALD_HAVE_VALGRIND
    CALLGRIND_DUMP_STATS_AT(reason);
#else
    (void)reason;
#endif
}

void herald_callgrind_zero(void) {
#ifdef HERALD_HAVE_VALGRIND
    CALLGRIND_ZERO_STATS;
#endif
}
