"""A large ledger export for the read benchmark, written with xlwt (BIFF8).

usage: /usr/bin/python3 gen_ledger.py OUT.xls [--dates]

One sheet, 65,000 rows x 16 columns: a header row and 64,999 entries.
Columns: id, date, voucher, account code, account, dept, project, desc,
debit, credit, balance, qty, unit price, currency, handler, note. Text
repeats from small lists (much of it CJK) as in a real export, except the
voucher number, which is unique per row, so the shared string table is
large and spans many CONTINUE records. Integers, decimals with two or four
places, and one of debit/credit left empty per row.

With --dates the date column holds date cells formatted yyyy-mm-dd;
without it the same serial numbers are plain numbers (General format), so
the two files differ only in how that column is formatted.

Values come from a fixed-seed generator: every run gives the same file.
"""
import datetime as dt
import random
import sys

import xlwt

ROWS = 65000
HEADER = ["id", "date", "voucher", "code", "account", "dept", "project",
          "desc", "debit", "credit", "balance", "qty", "price", "currency",
          "handler", "note"]
ACCOUNTS = [("1001", "库存现金"), ("1002", "银行存款"), ("1221", "其他应收款"),
            ("2201", "应付账款"), ("4001", "财政拨款收入"),
            ("5001", "行政支出"), ("5101", "事业支出"), ("5201", "经营支出"),
            ("6101", "Office supplies"), ("6102", "Travel")]
DEPTS = ["办公室", "财务股", "预算股", "国库股", "综合股", "Admin", "IT"]
PROJECTS = ["P-2023-001", "P-2023-002", "乡村振兴专项", "应急保障",
            "教育补助", ""]
DESCS = ["购买办公用品", "支付水电费", "拨付专项资金", "差旅费报销",
         "收到财政拨款", "支付印刷费", "会议费", "公务接待费",
         "office rent, Q1", "printer toner", "travel: \"Changsha\" trip"]
CURRENCIES = ["CNY", "CNY", "CNY", "USD", "HKD"]
HANDLERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "J. Smith"]
NOTES = ["", "", "", "已审核", "待补票据", "see attachment", "月末结转"]

EPOCH = dt.date(1899, 12, 30)


def serial(day):
    """Excel 1900-system serial number of a date after 1900-03-01."""
    return float((day - EPOCH).days)


def main(argv):
    if len(argv) < 2 or len(argv) > 3 or (len(argv) == 3 and
                                           argv[2] != "--dates"):
        sys.exit("usage: gen_ledger.py OUT.xls [--dates]")
    out = argv[1]
    dates = len(argv) == 3
    rnd = random.Random(20230101)

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("ledger")
    bold = xlwt.easyxf("font: bold on")
    datef = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    plain = xlwt.easyxf("")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    price = xlwt.easyxf(num_format_str="0.0000")
    for c, name in enumerate(HEADER):
        ws.write(0, c, name, bold)

    day = dt.date(2015, 1, 2)
    balance = 1000000.0
    for r in range(1, ROWS):
        if rnd.random() < 0.01:
            day += dt.timedelta(days=rnd.randint(1, 3))
        code, account = rnd.choice(ACCOUNTS)
        amount = rnd.randint(100, 99999999) / 100.0
        qty = rnd.randint(1, 500)
        ws.write(r, 0, r)
        ws.write(r, 1, serial(day), datef if dates else plain)
        ws.write(r, 2, "记-%04d-%06d" % (day.year, r))
        ws.write(r, 3, int(code))
        ws.write(r, 4, account)
        ws.write(r, 5, rnd.choice(DEPTS))
        ws.write(r, 6, rnd.choice(PROJECTS))
        ws.write(r, 7, rnd.choice(DESCS))
        if rnd.random() < 0.6:
            ws.write(r, 8, amount, money)
            balance -= amount
        else:
            ws.write(r, 9, amount, money)
            balance += amount
        ws.write(r, 10, round(balance, 2), money)
        ws.write(r, 11, qty)
        ws.write(r, 12, round(amount / qty, 4), price)
        ws.write(r, 13, rnd.choice(CURRENCIES))
        ws.write(r, 14, rnd.choice(HANDLERS))
        ws.write(r, 15, rnd.choice(NOTES))
        if r % 1000 == 0:
            ws.flush_row_data()
    wb.save(out)


if __name__ == "__main__":
    main(sys.argv)
