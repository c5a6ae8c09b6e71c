# help.awk - turn doc/<page>.txt into a man page or into C help strings.
#
# The .txt file is the one source of a command's documentation: the binary
# prints it for `eksperiment help <command>` and `<command> --help`, and the
# man page shows the same text.  Format (see doc/README): section headings in
# capitals at the start of a line (NAME, SYNOPSIS, ...); every other line is
# empty or indented by at least 4 spaces; no tabs.  A line that breaks these
# rules stops the build with `file:line: message`.
#
#   awk -f help.awk -v mode=man -v version=X doc/eksperiment-log.txt > eksperiment-log.1
#   awk -f help.awk -v mode=c doc/*.txt > help.c
#
# Escaping is done one character at a time rather than with gsub(): what a
# backslash means in gsub's replacement text differs between awks (mawk,
# Debian's default, turns "\\\\" into one backslash), which silently broke
# backslashes in the C strings.

function page_name(path,   n, parts) {
	n = split(path, parts, "/")
	sub(/\.txt$/, "", parts[n])
	return parts[n]
}

# A C string literal body: backslash and double quote escaped.  "??" is
# split so that no trigraph can form.
function c_escape(s,   out, i, ch, n) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		ch = substr(s, i, 1)
		if (ch == "\\")
			out = out "\\\\"
		else if (ch == "\"")
			out = out "\\\""
		else if (ch == "?" && substr(s, i + 1, 1) == "?")
			out = out "?\\"
		else
			out = out ch
	}
	return out
}

# A line of roff text: backslash becomes \e, a hyphen \- (so that options
# like --format print and search as ASCII hyphens), and a line starting with
# '.' or '\'' is protected with \& so it is not read as a request.
function roff_escape(s,   out, i, ch, n) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		ch = substr(s, i, 1)
		if (ch == "\\")
			out = out "\\e"
		else if (ch == "-")
			out = out "\\-"
		else
			out = out ch
	}
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

BEGIN {
	failed = 0
	if (mode != "c" && mode != "man") {
		print "help.awk: set mode=c or mode=man" > "/dev/stderr"
		failed = 1
		exit 1
	}
	if (mode == "c") {
		print "/* Generated from the doc/ pages by doc/help.awk; do not edit. */"
		print "#include <stddef.h>"
		print "#include \"help.h\""
		print ""
		print "const struct eks_help_page eks_help_pages[] = {"
	}
}

FNR == 1 {
	name = page_name(FILENAME)
	if (mode == "c") {
		if (NR > 1)
			print "\t},"
		cmd = name
		sub(/^eksperiment-?/, "", cmd)
		printf "\t{ \"%s\", \"%s\",\n", cmd, name
	} else {
		title = toupper(name)
		printf ".TH %s 1 \"\" \"eksperiment %s\" \"eksperiment manual\"\n", title, version
	}
}

{
	if (index($0, "\t"))
		fail("a tab; indent with spaces")
	heading = ($0 ~ /^[A-Z][A-Z ]*$/)
	if (!heading && $0 != "" && $0 !~ /^    /)
		fail("text must be indented by 4 spaces (only headings in CAPITALS start at column 0)")

	if (mode == "c") {
		printf "\t\t\"%s\\n\"\n", c_escape($0)
	} else if (heading) {
		printf ".SH %s\n.nf\n", $0
	} else {
		line = $0
		sub(/^    /, "", line)
		print roff_escape(line)
	}
}

END {
	if (failed)
		exit 1
	if (mode == "c") {
		if (NR > 0)
			print "\t},"
		print "\t{ NULL, NULL, NULL }"
		print "};"
	}
}
