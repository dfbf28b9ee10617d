/*
 * The format readers' entry points, which workbook_open.c calls once it
 * has recognised a file. Each fills wb (wb->be, wb->priv, the sheets and
 * formats) or returns an error with d saying what is wrong with the file;
 * either way fp_workbook_free releases what it set up.
 */
#ifndef FP_FORMATS_H
#define FP_FORMATS_H

#include "reader.h"

struct fp_zip;

/* BIFF2 to BIFF8, in a compound file (cfb.c) or bare; data outlives wb. */
enum fp_err fp_biff_open(struct fp_workbook *wb, const unsigned char *data,
    size_t size, struct fp_diag *d);
/* BIFF2 to BIFF4 through freexl, which reads from a path. */
enum fp_err fp_freexl_open(struct fp_workbook *wb, const char *path,
    struct fp_diag *d);

/*
 * Office Open XML (.xlsx, .xlsm) and OpenDocument (.ods) workbooks in the
 * zip z, which the reader takes over (fp_workbook_free frees it, whether
 * the open succeeded or not).
 */
enum fp_err fp_ooxml_open(struct fp_workbook *wb, struct fp_zip *z,
    struct fp_diag *d);
enum fp_err fp_ods_open(struct fp_workbook *wb, struct fp_zip *z,
    struct fp_diag *d);

#endif
