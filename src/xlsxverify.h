/*
 * A written .xlsx read back before it is renamed into place: every XML
 * part must be whole. libxlsxwriter writes each part to a temporary file
 * and copies it into the zip without looking whether the writes went
 * through, so a full temporary folder gives a well-formed zip of parts
 * cut short, which Excel and LibreOffice refuse to open.
 */
#ifndef FP_XLSXVERIFY_H
#define FP_XLSXVERIFY_H

#include "util.h"

/*
 * FP_OK if the zip at path opens and each of its XML parts parses to its
 * end; else an FP_EWRITE error, d saying which part is broken and where.
 */
enum fp_err fp_xlsx_verify(const char *path, struct fp_diag *d);

#endif
