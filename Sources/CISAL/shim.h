// Intel ISA-L's igzip (Debian: libisal-dev; Homebrew: isa-l).
#include <isa-l/igzip_lib.h>

/// Level 1's default working buffer size (the macro is an expression Swift cannot import).
static const unsigned int cisal_level1_buffer_size = ISAL_DEF_LVL1_DEFAULT;
