#!/bin/sh
# scripts/embed.sh NAME FILE - writes C source defining const char NAME[] with
# the bytes of FILE (NUL-terminated) and size_t NAME_len, so that the
# built-in signatures need no file at run time.
set -eu
name=$1 file=$2
printf '/* Generated from %s by scripts/embed.sh: do not edit. */\n' "$file"
printf '#include <stddef.h>\n'
printf 'extern const char %s[];\nextern const size_t %s_len;\n' "$name" "$name"
printf 'const char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
printf '\t0x00\n};\n'
printf 'const size_t %s_len = sizeof(%s) - 1;\n' "$name" "$name"
