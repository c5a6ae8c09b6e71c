# help.awk - turn doc/<page>.txt into a man page or into C help strings.
#
# The .txt file is the one source of a command's documentation: the binary
# prints it for `eksperiment help <command>` and `<command> --help`, and the
# man page shows the same text.  Format: section headings in capitals at the
# start of a line (NAME, SYNOPSIS, ...), everything else indented.
#
#   awk -f help.awk -v mode=man -v version=X doc/eksperiment-log.txt > eksperiment-log.1
#   awk -f help.awk -v mode=c doc/*.txt > help.c

function page_name(path,   n, parts) {
	n = split(path, parts, "/")
	sub(/\.txt$/, "", parts[n])
	return parts[n]
}

function c_escape(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, "\\t", s)
	return s
}

function roff_escape(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

BEGIN {
	if (mode == "c") {
		print "/* Generated from doc/*.txt by doc/help.awk; do not edit. */"
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
	if (mode == "c") {
		printf "\t\t\"%s\\n\"\n", c_escape($0)
	} else if ($0 ~ /^[A-Z][A-Z ]*$/) {
		printf ".SH %s\n.nf\n", $0
	} else {
		line = $0
		sub(/^    /, "", line)
		print roff_escape(line)
	}
}

END {
	if (mode == "c") {
		if (NR > 0)
			print "\t},"
		print "\t{ NULL, NULL, NULL }"
		print "};"
	}
}
