"""The openpyxl peer of `formpipe read`: the first sheet as CSV.

usage: /usr/bin/python3 openpyxl_csv.py FILE.xlsx > FILE.csv
Read-only mode (openpyxl's streaming reader, the fastest it has), values
as saved (data_only), written by the csv module.
"""
import csv
import sys

import openpyxl


def main(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    out = csv.writer(sys.stdout, lineterminator="\n")
    for row in ws.iter_rows(values_only=True):
        out.writerow(["" if v is None else v for v in row])
    wb.close()


if __name__ == "__main__":
    main(sys.argv[1])
