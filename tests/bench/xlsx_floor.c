/*
 * The floor under reading an .xlsx: what inflating its parts costs, and
 * what inflating them and running expat over them with empty handlers
 * costs, with the same libraries formpipe uses (minizip, expat) and
 * nothing else. No cell is looked at.
 *
 * usage: xlsx_floor inflate|parse FILE.xlsx
 * Exits 0, or 2 with a message if the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <minizip/unzip.h>

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)ud;
	(void)name;
	(void)attrs;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	unsigned long long total = 0;
	unzFile uf;
	int parse, rc;

	if (argc != 3 || (strcmp(argv[1], "inflate") && strcmp(argv[1], "parse"))) {
		fprintf(stderr, "usage: xlsx_floor inflate|parse FILE.xlsx\n");
		return 2;
	}
	parse = !strcmp(argv[1], "parse");
	uf = unzOpen64(argv[2]);
	if (!uf) {
		fprintf(stderr, "xlsx_floor: %s: not a zip file\n", argv[2]);
		return 2;
	}
	for (rc = unzGoToFirstFile(uf); rc == UNZ_OK; rc = unzGoToNextFile(uf)) {
		char name[512];
		XML_Parser p = NULL;
		int n;

		if (unzGetCurrentFileInfo64(uf, NULL, name, sizeof name, NULL, 0,
		    NULL, 0) != UNZ_OK || unzOpenCurrentFile(uf) != UNZ_OK)
			break;
		/* The parts formpipe parses: the sheets and shared strings. */
		if (parse && (!strncmp(name, "xl/worksheets/", 14) ||
		    !strcmp(name, "xl/sharedStrings.xml"))) {
			p = XML_ParserCreateNS(NULL, '\001');
			XML_SetElementHandler(p, on_start, on_end);
			XML_SetCharacterDataHandler(p, on_text);
		}
		while ((n = unzReadCurrentFile(uf, buf, sizeof buf)) > 0) {
			total += (unsigned)n;
			if (p)
				XML_Parse(p, buf, n, 0);
		}
		if (p) {
			XML_Parse(p, NULL, 0, 1);
			XML_ParserFree(p);
		}
		unzCloseCurrentFile(uf);
	}
	unzClose(uf);
	if (rc != UNZ_END_OF_LIST_OF_FILE) {
		fprintf(stderr, "xlsx_floor: %s: damaged zip file\n", argv[2]);
		return 2;
	}
	return total ? 0 : 2;
}
