/*
 * The formula decompiler: a BIFF formula's parsed tokens (the rgce of a
 * FORMULA, SHRFMLA, ARRAY or NAME record, BIFF2 to BIFF8) back to the A1
 * text a person typed, without the leading '='. It knows the token
 * layouts of every BIFF version and the built-in function table; what a
 * 3-D reference or a name stands for it asks the caller, so it depends on
 * no workbook model. Every read is checked against the bytes given.
 */
#ifndef FP_FORMULA_H
#define FP_FORMULA_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* What a formula's text depends on beyond its tokens. */
struct fp_fmla_env {
	int biff;		/* 2, 3, 4, 5 (BIFF5 and BIFF7) or 8 */
	/*
	 * The cell the tokens belong to, which relative tokens (tRefN,
	 * tAreaN: shared formulas) count from.
	 */
	uint32_t row;
	uint32_t col;
	void *ctx;
	/*
	 * Appends the sheet part of a 3-D reference, as written before '!'
	 * (quoted where the name needs it): BIFF8 gives the EXTERNSHEET
	 * index ixti, BIFF5 the sheet indexes tab1 and tab2 (ixti is then
	 * the raw EXTERNSHEET index, negative for this workbook). Returns 1
	 * if written, 0 if the sheet was deleted (the reference is #REF!),
	 * -1 if it cannot be written (another workbook). NULL: every 3-D
	 * reference is -1.
	 */
	int (*sheets)(void *ctx, int ixti, int tab1, int tab2,
	    struct fp_buf *out);
	/*
	 * Appends the name a tName (ext 0, idx 1-based into the NAME
	 * records) or tNameX (ext 1, ixti naming the EXTERNSHEET, idx 1-based
	 * into its external names) stands for. Returns 1, or 0 if unknown.
	 */
	int (*name)(void *ctx, int ext, int ixti, unsigned idx,
	    struct fp_buf *out);
	/*
	 * Appends n bytes of 8-bit text of a BIFF2-7 string token as UTF-8
	 * (the workbook's code page). NULL: Latin-1.
	 */
	void (*text)(void *ctx, const unsigned char *p, size_t n,
	    struct fp_buf *out);
};

/*
 * Writes the text of the n token bytes at rgce to out (appended), reading
 * array constants from the nextra bytes at extra (the data that follows
 * the tokens in their record). Returns FP_OK, or FP_ECORRUPT with d
 * saying what could not be read (an unknown token or function, tokens cut
 * short, a reference to another workbook); out then holds nothing new.
 */
enum fp_err fp_formula_text(const struct fp_fmla_env *env,
    const unsigned char *rgce, size_t n, const unsigned char *extra,
    size_t nextra, struct fp_buf *out, struct fp_diag *d);

/* What fp_formula_ref finds. */
enum fp_fmla_ref {
	FP_FMLA_OWN = 0,	/* ordinary tokens */
	FP_FMLA_EXP,		/* tExp: a shared or array formula's part */
	FP_FMLA_TABLE,		/* tTbl: a what-if table's part */
};

/*
 * Whether a cell's tokens are a reference to a shared or array formula
 * (tExp) or a table (tTbl), and if so the cell that anchors it.
 */
enum fp_fmla_ref fp_formula_ref(int biff, const unsigned char *rgce,
    size_t n, uint32_t *row, uint32_t *col);

/* Appends the A1 name of a cell ("B14", "$B$14") to out. */
void fp_formula_cell(struct fp_buf *out, uint32_t row, uint32_t col,
    int rowabs, int colabs);

/*
 * Appends a sheet name as a formula writes it before '!': quoted
 * ('Sheet 1', with a quote doubled) unless it is a plain word that could
 * not be read as a cell or a number.
 */
void fp_formula_sheet(struct fp_buf *out, const char *name);

#endif
