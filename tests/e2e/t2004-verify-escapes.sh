#!/bin/sh
# mcp-verify refuses every way an archive entry could escape its tree, and
# leaves nothing behind (no temporary directory, no tree, no file outside).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

refuse 'entry "\.\./\.\./\.\./\.\./sentinel/x": path escapes the tree' \
	'dot-dot entry' f:$ESC/x:pwned
refuse 'entry "a/\.\./\.\./escaped": path escapes the tree' \
	'dot-dot inside a path' d:a f:a/../../escaped:pwned
refuse "entry \"$T/sentinel/x\": absolute path" \
	'absolute path' "f:$T/sentinel/x:pwned"
refuse 'symlink "s" -> "\.\./\.\./\.\./\.\./sentinel": target leaves the tree' \
	'symlink out of the tree' l:s:$ESC
refuse 'symlink "d/s" -> "\.\./\.\.": target leaves the tree' \
	'symlink out from a subdirectory' d:d l:d/s:../..
refuse 'symlink "s" -> "/etc": absolute target leaves the tree' \
	'absolute symlink' l:s:/etc
refuse 'symlink "t" -> "s/\.\.": target passes through the symlink "s"' \
	'symlink through another symlink' l:s:. l:t:s/..
refuse 'entry "s/x": written through the symlink "s"' \
	'entry written through an earlier symlink' "l:s:." f:s/x:pwned
refuse 'symlink "s" -> "\.\./\.\./\.\./\.\./sentinel": target leaves the tree' \
	'symlink pointing out, then an entry through it' \
	"l:s:$ESC" f:s/x:pwned
refuse 'hardlink target "\.\./\.\./\.\./\.\./sentinel/x": path escapes the tree' \
	'hardlink out of the tree' h:h:$ESC/x
refuse 'hardlink target "/etc/passwd": absolute path' \
	'hardlink to an absolute path' h:h:/etc/passwd
refuse 'hardlink "h" -> "missing": target is not an earlier entry' \
	'hardlink to a missing entry' h:h:missing
refuse 'hardlink "h" -> "d": target is not a regular file' \
	'hardlink to a directory' d:d h:h:d
refuse 'hardlink "h" -> "s": target is not a regular file' \
	'hardlink to a symlink' l:s:bin h:h:s
refuse 'entry "dev": device nodes are not allowed' 'character device' c:dev
refuse 'entry "blk": device nodes are not allowed' 'block device' b:blk
refuse 'entry "fifo": FIFOs are not allowed' 'FIFO' p:fifo
refuse 'entry "bad\\xff": name is not valid UTF-8' \
	'name not valid UTF-8 (printed escaped)' 'f:bad\udcff:x'
refuse 'entry "red\\x1b\[31m": name contains control characters' \
	'name with an escape sequence (printed escaped)' 'f:red\x1b[31m:x'
refuse 'entry "nl\\x0a": name contains control characters' \
	'name with a newline' 'f:nl\n:x'
refuse 'entry "c1\\xc2\\x9b": name contains control characters' \
	'name with a C1 control (CSI)' 'f:c1\u009b:x'
refuse 'symlink "s": target contains control characters' \
	'symlink target with control characters' 'l:s:a\x07'
refuse 'entry "d": duplicate entry would replace a directory with a symlink' \
	'duplicate: directory then symlink' d:d f:d/x:1 l:d:$ESC
refuse 'entry "d": duplicate entry would replace a directory with a symlink' \
	'duplicate: implicit directory then symlink' f:d/x:1 l:d:.
refuse 'entry "d/": duplicate entry would replace a symlink with a directory' \
	'duplicate: symlink then directory' l:d:. d:d
refuse 'entry "f": duplicate entry$' 'duplicate regular file' f:f:1 f:f:2
refuse 'entry "f/x": parent "f" is not a directory' \
	'entry below a regular file' f:f:1 f:f/x:2
refuse 'entry "\./": names the root of the tree' \
	'symlink replacing the root' 'l:./:..'

# The pax format carries names in extended headers: same rules.
refuse 'entry "\.\./x": path escapes the tree' 'dot-dot in a pax header' \
	--format pax f:../x:pwned

done_testing
