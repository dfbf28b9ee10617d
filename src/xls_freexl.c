/*
 * The freexl reader, for BIFF2, BIFF3 and BIFF4 workbooks (Excel 2.x to
 * 4.0), used when FORMPIPE_READER=freexl asks for it, to compare with
 * formpipe's own reader. The only file that includes freexl.h.
 *
 * freexl 1.0.6 reads these old formats well enough, with known gaps that
 * formpipe does not paper over: it does not return formula results (a
 * formula cell comes back empty), reads booleans and error codes as the
 * number 1, and exposes neither merged ranges nor number formats. It
 * can also return FREEXL_OK with a NULL handle, which is checked here.
 * freexl gives dates as text; they are turned back into serials (of the
 * 1900 system) so that every reader's dates render alike.
 */
#include "formats.h"

#include <freexl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fx {
	const void *h;
};

static const char *
fx_strerror(int rc)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND: return "cannot open file";
	case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR: return "truncated or corrupt workbook";
	case FREEXL_BIFF_INVALID_BOF: return "corrupt workbook (bad BIFF header)";
	case FREEXL_BIFF_INVALID_SST: return "corrupt workbook (bad string table)";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "no workbook in the file";
	case FREEXL_INVALID_CHARACTER: return "text in an unknown code page";
	default: return "corrupt workbook";
	}
}

/* Parses freexl's "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS". */
static double
fx_serial(const char *s, int type)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;

	if (type == FREEXL_CELL_TIME) {
		if (sscanf(s, "%d:%d:%d", &h, &mi, &se) != 3)
			return 0;
		return (h * 3600 + mi * 60 + se) / 86400.0;
	}
	if (type == FREEXL_CELL_DATETIME) {
		if (sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6)
			return 0;
	} else if (sscanf(s, "%d-%d-%d", &y, &mo, &d) != 3) {
		return 0;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	return fp_serial_from_civil(y, (unsigned)mo, (unsigned)d,
	    h * 3600.0 + mi * 60.0 + se);
}

static enum fp_err
fx_scan(struct fp_workbook *wb, size_t i, fp_cell_fn fn, void *ctx,
    int *stopped, struct fp_diag *d)
{
	struct fx *x = wb->priv;
	unsigned int rows = 0;
	unsigned short cols = 0;
	unsigned int r;
	unsigned short c;
	int rc, stop = 0;

	rc = freexl_select_active_worksheet(x->h, (unsigned short)i);
	if (rc != FREEXL_OK)
		return fp_diag(d, FP_ECORRUPT, "%s", fx_strerror(rc));
	rc = freexl_worksheet_dimensions(x->h, &rows, &cols);
	if (rc != FREEXL_OK)
		return fp_diag(d, FP_ECORRUPT, "%s", fx_strerror(rc));
	for (r = 0; r < rows && !stop; r++) {
		for (c = 0; c < cols && !stop; c++) {
			FreeXL_CellValue v;
			struct fp_cell cell;

			if (freexl_get_cell_value(x->h, r, c, &v) != FREEXL_OK)
				continue;
			memset(&cell, 0, sizeof cell);
			cell.row = r;
			cell.col = c;
			switch (v.type) {
			case FREEXL_CELL_INT:
				cell.type = FP_CELL_NUMBER;
				cell.v.num = v.value.int_value;
				break;
			case FREEXL_CELL_DOUBLE:
				cell.type = FP_CELL_NUMBER;
				cell.v.num = v.value.double_value;
				if (!isfinite(cell.v.num))
					fp_cell_set_error(&cell, FP_ERROR_NUM);
				break;
			case FREEXL_CELL_TEXT:
			case FREEXL_CELL_SST_TEXT:
				if (!v.value.text_value || !*v.value.text_value)
					continue;
				cell.type = FP_CELL_TEXT;
				cell.v.text = v.value.text_value;
				cell.len = (uint32_t)strlen(v.value.text_value);
				break;
			case FREEXL_CELL_DATE:
			case FREEXL_CELL_DATETIME:
			case FREEXL_CELL_TIME:
				if (!v.value.text_value)
					continue;
				cell.v.num = fx_serial(v.value.text_value, v.type);
				cell.type = v.type == FREEXL_CELL_DATE ?
				    FP_CELL_DATE : v.type == FREEXL_CELL_TIME ?
				    FP_CELL_TIME : FP_CELL_DATETIME;
				cell.type = (uint8_t)fp_date_type(
				    cell.type == FP_CELL_DATE ? FP_FMT_DATE :
				    cell.type == FP_CELL_TIME ? FP_FMT_TIME :
				    FP_FMT_DATETIME, cell.v.num, 0);
				break;
			default:
				continue;
			}
			stop = fn(ctx, &cell);
		}
	}
	if (stopped)
		*stopped = stop;
	return FP_OK;
}

static void
fx_free(struct fp_workbook *wb)
{
	struct fx *x = wb->priv;

	if (!x)
		return;
	if (x->h)
		freexl_close(x->h);
	free(x);
	wb->priv = NULL;
}

static const struct fp_backend fx_backend = {
	"freexl", fx_scan, fx_free,
};

enum fp_err
fp_freexl_open(struct fp_workbook *wb, const char *path, struct fp_diag *d)
{
	struct fx *x;
	unsigned int n = 0, ver = 0, pw = 0, k;
	int rc;

	x = fp_xcalloc(1, sizeof *x);
	wb->be = &fx_backend;
	wb->priv = x;
	rc = freexl_open(path, &x->h);
	if (rc != FREEXL_OK || !x->h)
		return fp_diag(d, rc == FREEXL_OK ? FP_ECORRUPT :
		    rc == FREEXL_FILE_NOT_FOUND ? FP_EOPEN : FP_ECORRUPT,
		    "%s", rc == FREEXL_OK ? "corrupt workbook (the old-format "
		    "reader could not make sense of it)" : fx_strerror(rc));
	if (freexl_get_info(x->h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK &&
	    pw == FREEXL_BIFF_OBFUSCATED)
		return fp_diag(d, FP_EENCRYPTED, "password-protected workbook "
		    "(remove the password and save it again)");
	freexl_get_info(x->h, FREEXL_BIFF_VERSION, &ver);
	snprintf(wb->kind, sizeof wb->kind, "BIFF%u", ver);
	if (freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &n) != FREEXL_OK)
		n = 0;
	for (k = 0; k < n; k++) {
		const char *name = NULL;

		/*
		 * A BIFF2 to BIFF4 worksheet file is one sheet without a name
		 * (freexl calls it "Worksheet"); it is "Sheet 1" here, as in
		 * xlrd. Workbooks of several sheets keep their names.
		 */
		if (n == 1 || freexl_get_worksheet_name(x->h,
		    (unsigned short)k, &name) != FREEXL_OK || !name)
			name = "Sheet 1";
		fp_wb_add_sheet(wb, name, 0);
	}
	return FP_OK;
}
