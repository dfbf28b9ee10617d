/*
 * The OLE2 compound file container (MS-CFB) that holds an .xls file's
 * Workbook stream: a small file system of sectors, chained through a
 * FAT, with a directory of named streams. Read-only, from memory, with
 * every sector number and chain checked against the file's size.
 */
#ifndef FP_CFB_H
#define FP_CFB_H

#include <stddef.h>

#include "util.h"

/*
 * Finds the first of names (a NULL-terminated list, matched without
 * regard to case) that is a stream in the root storage of the compound
 * file data[0..size), and returns its contents in *out and *outlen.
 * *owned is set to 1 if *out was allocated (the caller frees it) or 0 if
 * it points into data. *found is the index in names of the stream found.
 * Returns FP_OK, FP_ENOSHEET if none of the streams exists, or an error
 * with d saying what is wrong with the container.
 */
enum fp_err fp_cfb_stream(const unsigned char *data, size_t size,
    const char *const *names, const unsigned char **out, size_t *outlen,
    int *owned, int *found, struct fp_diag *d);

/*
 * 1 if the compound file has a stream or storage with this name anywhere
 * (used to say why a file is no workbook: EncryptedPackage, WordDocument).
 */
int fp_cfb_has(const unsigned char *data, size_t size, const char *name);

#endif
