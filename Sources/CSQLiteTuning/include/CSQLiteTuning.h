#ifndef KEIRO_CSQLITETUNING_H
#define KEIRO_CSQLITETUNING_H

/// Turns off SQLite's memory statistics for the process (SQLITE_CONFIG_MEMSTATUS = 0), so
/// that sqlite3_malloc and sqlite3_free stop taking a global mutex on every call.
/// sqlite3_config is variadic, which Swift cannot call. Only takes effect before SQLite is
/// first initialized (before the process opens its first connection); returns the
/// sqlite3_config result (SQLITE_MISUSE after that, harmlessly).
int keiro_sqlite_disable_memstatus(void);

#endif
