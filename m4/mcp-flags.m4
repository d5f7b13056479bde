# MCP_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Compile and link a trivial program with FLAG (and -Werror, so a flag the
# compiler merely warns about is not taken).
AC_DEFUN([MCP_CHECK_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  mcp_save_CFLAGS=$CFLAGS
  mcp_save_LDFLAGS=$LDFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  LDFLAGS="$LDFLAGS $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
  CFLAGS=$mcp_save_CFLAGS
  LDFLAGS=$mcp_save_LDFLAGS
])

# MCP_CHECK_LDFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
AC_DEFUN([MCP_CHECK_LDFLAG], [
  AC_MSG_CHECKING([whether the linker accepts $1])
  mcp_save_LDFLAGS=$LDFLAGS
  LDFLAGS="$LDFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
  LDFLAGS=$mcp_save_LDFLAGS
])
