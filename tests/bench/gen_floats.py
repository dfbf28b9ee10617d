"""A sheet of full-precision numbers for the number printer's benchmark.

usage: /usr/bin/python3 gen_floats.py OUT.xls

One sheet, 65,000 rows x 16 columns of doubles in [0, 1/30) such as
0.0317826794817836, whose shortest text has 15 to 17 digits (computed
rates and shares, as ledgers hold them). A fixed seed: every run gives
the same file.
"""
import random
import sys

import xlwt


def main(out):
    rnd = random.Random(1)
    wb = xlwt.Workbook()
    ws = wb.add_sheet("floats")
    for r in range(65000):
        for c in range(16):
            ws.write(r, c, rnd.random() / 30)
    wb.save(out)


if __name__ == "__main__":
    main(sys.argv[1])
