/*
 * freexl_parse: the bare freexl parse of a workbook, the floor the read
 * benchmark compares formpipe against. Opens FILE.xls with freexl_open,
 * selects every worksheet and fetches every cell of its declared
 * dimensions, printing nothing. A checksum over the values keeps the work
 * from being optimised away; it goes to standard error at the end.
 *
 * usage: freexl_parse FILE.xls
 * Exits 0 on success, 2 if freexl cannot open or read the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <freexl.h>

/*
 * Folds one value into the checksum. Text counts by its length: reading
 * each string is work any consumer does, hashing it byte by byte is not.
 */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;	/* FNV-1a prime */
}

int
main(int argc, char **argv)
{
	const void *xls = NULL;
	FreeXL_CellValue v;
	unsigned int nsheets, nrows, row;
	unsigned short ncols, col, sheet;
	uint64_t sum = 0xcbf29ce484222325ULL, ncells = 0, bits;
	int rc = 2, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: freexl_parse FILE.xls\n");
		return 2;
	}
	ret = freexl_open(argv[1], &xls);
	if (ret != FREEXL_OK || xls == NULL) {
		fprintf(stderr, "freexl_parse: %s: freexl_open failed (%d)\n",
		    argv[1], ret);
		goto out;
	}
	if (freexl_get_info(xls, FREEXL_BIFF_SHEET_COUNT, &nsheets) !=
	    FREEXL_OK) {
		fprintf(stderr, "freexl_parse: %s: no sheet count\n", argv[1]);
		goto out;
	}
	for (sheet = 0; sheet < nsheets; sheet++) {
		if (freexl_select_active_worksheet(xls, sheet) != FREEXL_OK ||
		    freexl_worksheet_dimensions(xls, &nrows, &ncols) !=
		    FREEXL_OK) {
			fprintf(stderr, "freexl_parse: %s: sheet %u unreadable\n",
			    argv[1], (unsigned)sheet);
			goto out;
		}
		for (row = 0; row < nrows; row++) {
			for (col = 0; col < ncols; col++) {
				ret = freexl_get_cell_value(xls, row, col, &v);
				if (ret != FREEXL_OK) {
					fprintf(stderr, "freexl_parse: %s: "
					    "sheet %u cell %u,%u: error %d\n",
					    argv[1], (unsigned)sheet, row,
					    (unsigned)col, ret);
					goto out;
				}
				ncells++;
				sum = mix(sum, (uint64_t)v.type);
				switch (v.type) {
				case FREEXL_CELL_INT:
					sum = mix(sum,
					    (uint64_t)(int64_t)v.value.int_value);
					break;
				case FREEXL_CELL_DOUBLE:
					memcpy(&bits, &v.value.double_value,
					    sizeof(bits));
					sum = mix(sum, bits);
					break;
				case FREEXL_CELL_TEXT:
				case FREEXL_CELL_SST_TEXT:
				case FREEXL_CELL_DATE:
				case FREEXL_CELL_DATETIME:
				case FREEXL_CELL_TIME:
					if (v.value.text_value != NULL)
						sum = mix(sum, strlen(
						    v.value.text_value));
					break;
				default:
					break;
				}
			}
		}
	}
	fprintf(stderr, "freexl_parse: %s: %u sheets, %llu cells, "
	    "checksum %016llx\n", argv[1], nsheets,
	    (unsigned long long)ncells, (unsigned long long)sum);
	rc = 0;
out:
	if (xls != NULL)
		freexl_close(xls);
	return rc;
}
