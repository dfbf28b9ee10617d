#!/usr/bin/python3
"""Drifted 部门整体支出绩效自评表 forms, with the facts and errors expected from them.

Each form is a made-up department's filled copy of the form in
forms/xiangyin-emergency-2021.xls, drifted the ways departments' copies
drift (blank rows, a column added on the left, merges kept or removed,
numbers typed as text, labels spelt differently, other sheet names, a
cover sheet, dates as text, totals as formulas, ...), in random but seeded
combinations. Beside NAME.xls go:

  NAME.expected.csv  the canonical facts `formpipe map` must give
                     (dept,year,table,row,field,value,source), in form order;
  NAME.errors.csv    the (table,row) pairs that SPEC.md's error rules flag
                     (dept,year,table,row); warnings are not listed.

The expected values are written from the data the form was made from, not
read back from the workbook; --verify then reads every workbook with xlrd
and checks each fact against the cell named by its source.

usage:
  gen_forms.py --seed S --count N --out DIR [--formulas F] [--biff5 F] [--verify] [--tags]
  gen_forms.py --verify-only DIR
  gen_forms.py --selftest FORMS
  gen_forms.py --form project --seed S --count N --out DIR [--all-drift | --open-drift TAG,...]
               [--verify] [--tags]
  gen_forms.py --form project --verify-only DIR
  gen_forms.py --form project --selftest PROJECT_EXAMPLES

--form project: 项目支出绩效自评表 workbooks instead (gen_project.py says
  how), one to three projects of a department each, with expected facts
  and errors that have a `record` column (the project's name);
  --all-drift and --open-drift add the drift made only on request
  (README.md); --selftest runs the project rules and the fact checks on the
  example project forms and compares with their .errors.csv.

--formulas F: that fraction of the forms has totals entered as =SUM(...)
  formulas, recalculated and saved by a headless LibreOffice ("MS Excel 97");
--biff5 F: that fraction is converted to Excel 5.0/95 (BIFF5, code page
  936) by gnumeric's ssconvert. With both 0 only xlwt is used.
--verify: also checks that every number on the form sheet is some fact's
  source and that NAME.errors.csv is what the rules give on the facts;
--tags: prints each form's drift (the kinds in REQUIRED_TAGS and a few more);
--selftest FORMS: rebuilds the seed form (FORMS/xiangyin-emergency-2021.xls) from
  its data on the undrifted layout and compares the workbook's cells and
  the expected facts with the seed's; runs the error rules on the facts of
  every example form under FORMS and compares with their .errors.csv.
"""
import argparse
import csv
import datetime as dt
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal as D, ROUND_DOWN

import xlrd
import xlwt

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES_GEN = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures", "gen"))
sys.path.insert(0, FIXTURES_GEN)
from common import serial, num_text  # noqa: E402

# The folder of reference forms --selftest compares with (set from its argument).
SHARED = None

# --------------------------------------------------------------------------
# Vocabulary

COUNTIES = ["湘阴县", "平江县", "岳阳县", "华容县", "临湘市", "汨罗市", "君山区", "云溪区",
            "屈原管理区", "南县", "沅江市", "桃江县", "安化县", "汉寿县", "澧县", "临澧县",
            "石门县", "安乡县", "桃源县", "慈利县"]
BUREAUS = [("财政局", "财政"), ("教育局", "教育"), ("卫生健康局", "卫生健康"), ("民政局", "民政"),
           ("司法局", "司法"), ("水利局", "水利"), ("农业农村局", "农业农村"),
           ("自然资源局", "自然资源"), ("住房和城乡建设局", "住房和城乡建设"),
           ("交通运输局", "交通运输"), ("审计局", "审计"), ("统计局", "统计"), ("林业局", "林业"),
           ("商务局", "商务"), ("文化旅游广电体育局", "文化旅游"),
           ("市场监督管理局", "市场监督管理"), ("医疗保障局", "医疗保障"),
           ("退役军人事务局", "退役军人事务"), ("应急管理局", "应急管理"),
           ("发展和改革局", "发展和改革"), ("人力资源和社会保障局", "人力资源和社会保障"),
           ("科学技术局", "科技"), ("档案馆", "档案"), ("供销合作社", "供销合作"),
           ("信访局", "信访"), ("城市管理和综合执法局", "城市管理"), ("生态环境分局", "生态环境")]
UNIT_NAMES = ["服务中心", "信息中心", "事务中心", "监测站", "管理所", "综合执法大队", "执法大队",
              "培训中心", "技术推广站", "保障中心", "指挥中心", "调解中心", "检验检测中心", "档案室"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万钱覃严"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲斌波宇浩凯健俊帆旭鹏辉晨欣怡佳琪雪婷颖倩慧琳文博志远峰海东阳光荣"
TITLES = ["副局长", "局长", "股长", "财务股长", "主任科员", "二级主任科员", "会计", "办公室主任",
          "副主任", "四级主任科员", "出纳"]

DUTIES = ["负责全县{f}相关工作，贯彻执行有关法律法规和政策，组织实施行业监督管理。",
          "拟订全县{f}发展规划和政策措施并组织实施，指导、协调、监督全县{f}工作。",
          "负责全县{f}领域的综合管理与服务，承担{f}相关行政审批、监督检查和统计分析工作，"
          "完成县委县政府交办的其他任务。"]
WORK = ["加强机关党建和作风建设", "完成年度重点工作任务", "强化资金监管，提高资金使用效益",
        "推进{f}领域重点项目建设", "做好{f}领域安全稳定工作", "规范内部管理，严格执行财经纪律",
        "深化“放管服”改革，提升服务水平"]
ACHIEVE = ["全面完成年度目标任务", "{y}年度被评为全市先进单位", "重点项目按期完工并投入使用",
           "全年未发生重大安全责任事故", "群众满意度明显提升", "绩效考核获得优秀等次"]
GOAL_EXPECTED = ["全面履行部门职责", "确保资金安全高效使用", "完成{f}年度重点工作任务",
                 "预算执行进度达到序时要求", "提高公共服务水平"]
GOAL_ACHIEVED = ["各项工作任务按期完成", "资金使用规范，未发现违规问题", "预算执行进度全年达到序时要求",
                 "重点工作全部完成", "服务对象满意度达到预期"]

OUTPUT_LABEL = "产出目标\n（部门工作实绩，包含上级部门和市委市政府布置的重点工作、实事任务等，根据部门实际进行调整细化）"
BENEFIT_LABEL = "效益目标\n（预期实现的效益）"
CATEGORY_LABELS = {
    "output": [OUTPUT_LABEL, OUTPUT_LABEL, OUTPUT_LABEL, "产出目标"],
    "benefit": [BENEFIT_LABEL, BENEFIT_LABEL, BENEFIT_LABEL, "效益目标"],
    "satisfaction": ["社会公众或服务对象满意度", "社会公众或服务对象满意度", "服务对象满意度",
                     "满意度指标"],
}
KIND_LABELS = {"quality": "质量指标", "quantity": "数量指标", "timeliness": "时效指标",
               "cost": "成本指标", "social": "社会效益", "economic": "经济效益",
               "ecological": "生态效益", "sustainability": "可持续影响"}
TARGETS = {"quality": ["工作质量达标率", "项目验收合格率", "全县安全生产形势稳定"],
           "quantity": ["完成培训次数", "完成检查次数", "开展宣传活动场次"],
           "timeliness": ["按时完成率", "资金拨付及时率", "全年工作按期推进"],
           "cost": ["控制在预算范围内", "控制部门运行成本", "投入专项资金"],
           "social": ["确保人民群众生命财产安全", "保障全县重点民生支出"],
           "economic": ["确保人民群众生命财产安全，减少经济损失", "提高财政资金使用效益"],
           "ecological": ["创造良好的社会发展环境", "支持生态环境保护"],
           "sustainability": ["建立长效管理机制", "持续提升服务能力"],
           "satisfaction": ["社会公众比较满意", "服务对象满意度达到90%以上"]}

TITLE_SECTION1 = "一、部门（单位）基本概况"
ACHIEVE_LABEL = "年度部门（单位）总体运行情况及取得的成绩"
TOTAL_LABEL = "局机关及二级机构汇总"
REPORT_HEADING = "五、评价报告综述（文字部分）"
SIGN_LEADER = "评价组组长（签字）：\n\n\n" + " " * 40 + "年    月    日"
SIGN_DEPT = ("部门（单位）意见：\n\n\n" + " " * 10 + "部门（单位）负责人（签章）：\n"
             + " " * 40 + "年    月    日")
COVER = ["填表说明", "1、本表金额单位为万元，保留四位小数。", "2、请如实填写，经单位负责人审核后报送财政局。",
         "3、“局机关及二级机构汇总”行应等于各机构之和。", "4、评价报告综述另页填写。"]

MONEY_TABLES = ["income", "expenditure", "three_public", "assets"]
FIELDS = {
    "income": ["total", "carryover", "public_finance", "gov_fund", "special_account", "other"],
    "expenditure": ["total", "basic", "personnel", "operating", "project",
                    "balance_current", "balance_accum"],
    "three_public": ["total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"],
    "assets": ["total", "in_use", "leased", "other"],
}
BALANCES = {"balance_current", "balance_accum"}
GRADE_ALIASES = {"优秀": ["优"], "良好": ["良"], "中": ["中等", "一般"], "差": ["较差"]}
ALIAS_TO_GRADE = {a: g for g, al in GRADE_ALIASES.items() for a in al + [g]}

# --------------------------------------------------------------------------
# Values and how they are typed


def dec_text(d):
    """Plain decimal text of a Decimal: 1207.9276, 120, 0 (no exponent)."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def money_text(d):
    """Canonical money text: the shortest round trip of the double."""
    return num_text(float(d))


FW = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def render_money(d, how):
    """(cell value, cell kind) for amount d (万元) typed the way `how` says."""
    if how == "num":
        return float(d), "num"
    if how == "text":
        return dec_text(d), "text"
    if how == "comma":
        whole, _, frac = dec_text(d).partition(".")
        return "{:,}".format(int(whole)) + ("." + frac if frac else ""), "text"
    if how == "wan":
        return dec_text(d) + "万元", "text"
    if how == "comma_wan":
        return render_money(d, "comma")[0] + "万元", "text"
    if how == "space":
        return " " + dec_text(d) + " ", "text"
    if how == "fullwidth":
        return dec_text(d).translate(FW), "text"
    if how == "yuan":
        yuan = d * 10000
        assert yuan == yuan.to_integral(), d
        return "%d元" % int(yuan), "text"
    raise ValueError(how)


def pick(rng, weighted):
    """Pick from [(weight, value), ...]."""
    total = sum(w for w, _ in weighted)
    x = rng.random() * total
    for w, v in weighted:
        x -= w
        if x < 0:
            return v
    return weighted[-1][1]


def label_variant(rng, text, tags, allow_space=True, rate=0.5):
    """A label as departments type it: spaced, with a colon, a line break, ..."""
    if rng.random() >= rate:
        return text
    how = pick(rng, [(10, "colon_fw"), (8, "colon_hw"), (8 if allow_space else 0, "spaced"),
                     (8 if allow_space else 0, "ideo"), (4 if allow_space else 0, "ideo_colon"),
                     (5, "linebreak"), (3, "trail_space")])
    if how == "plain":
        return text
    tags.add("label_" + how)
    if how == "colon_fw":
        return text + "："
    if how == "colon_hw":
        return text + ":"
    if how == "spaced":
        return " ".join(text)
    if how == "ideo":
        return "\u3000".join(text)
    if how == "ideo_colon":
        return "\u3000".join(text) + "\u3000："
    if how == "linebreak":
        k = max(1, len(text) // 2)
        return text[:k] + "\n" + text[k:]
    if how == "trail_space":
        return text + "  "
    raise ValueError(how)


# --------------------------------------------------------------------------
# The layout: rows as objects, so that blank rows can be inserted after the
# form is laid out and facts keep pointing at the right cells.


class Row:
    __slots__ = ("cells", "gap", "idx")

    def __init__(self, gap=None):
        self.cells = {}
        self.gap = gap      # None, "block" or "table": a blank row may go before it
        self.idx = None


class Cell:
    __slots__ = ("value", "kind", "style", "formula")

    def __init__(self, value, kind, style, formula=None):
        self.value, self.kind, self.style, self.formula = value, kind, style, formula


class Sheet:
    def __init__(self, name, col_off=0):
        self.name = name
        self.col_off = col_off
        self.rows = []
        self.merges = []     # (top Row, bottom Row, c1, c2)
        self.widths = {}

    def row(self, gap=None):
        r = Row(gap)
        self.rows.append(r)
        return r

    def put(self, r, c, value, style="plain", kind=None, formula=None):
        if value is None:
            r.cells[c] = Cell(None, "blank", style)
            return
        if kind is None:
            kind = "text" if isinstance(value, str) else ("date" if isinstance(value, dt.date) else "num")
        r.cells[c] = Cell(value, kind, style, formula)

    def merge(self, r1, r2, c1, c2):
        if r1 is not r2 or c1 != c2:
            self.merges.append((r1, r2, c1, c2))

    def number(self):
        for i, r in enumerate(self.rows):
            r.idx = i

    def ref(self, r, c):
        return "%s!%s%d" % (self.name, xlrd.colname(c + self.col_off), r.idx + 1)

    def a1(self, r, c):
        return "%s%d" % (xlrd.colname(c + self.col_off), r.idx + 1)


class Book:
    def __init__(self, merges=True):
        self.sheets = []
        self.merges = merges

    def sheet(self, name, col_off=0):
        s = Sheet(name, col_off)
        self.sheets.append(s)
        return s


# --------------------------------------------------------------------------
# A form's content and drift: everything the builder needs, decided up front.


class Spec:
    """One department's form: content and drift, filled by make_spec (or seed_spec).

    Money cells are (Decimal, how), how as in render_money, or
    (Decimal, "formula", kind) for a total LibreOffice is to compute.
    """

    def __init__(self):
        self.tags = set()
        self.errors_injected = []


def rand_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def amount(rng, lo, hi):
    dp = pick(rng, [(75, 4), (15, 2), (6, 1), (4, 0)])
    q = D(1).scaleb(-dp)
    return (D(str(rng.uniform(lo, hi)))).quantize(q)


def split_amount(rng, total_hint, n):
    """n positive amounts adding up to about total_hint."""
    if n == 0:
        return []
    weights = [rng.uniform(0.2, 1.0) for _ in range(n)]
    s = sum(weights)
    return [max(D("0.01"), amount(rng, total_hint * w / s * 0.95, total_hint * w / s * 1.05)) for w in weights]


def gen_units_money(rng, units, tags):
    """Per unit and field, the amounts in 万元 (Decimal); parts first, totals derived."""
    data = {t: {} for t in MONEY_TABLES}
    for i, u in enumerate(units):
        scale = rng.uniform(250, 3000) if i == 0 else rng.uniform(20, 500)
        # income
        row = {}
        chosen = [f for f, p in (("carryover", .45), ("public_finance", .7), ("gov_fund", .25),
                                 ("special_account", .2), ("other", .25)) if rng.random() < p]
        if not chosen:
            chosen = ["public_finance"]
        for f, v in zip(chosen, split_amount(rng, scale, len(chosen))):
            row[f] = v
        for f in FIELDS["income"][1:]:
            if f not in row and rng.random() < 0.1:
                row[f] = D(0)
                tags.add("zero_typed")
        row["total"] = sum((row[f] for f in FIELDS["income"][1:] if f in row), D(0))
        data["income"][u] = row
        # expenditure
        spend = float(row["total"]) * rng.uniform(0.85, 1.0)
        row = {}
        has_project = rng.random() < 0.55
        basic_share = rng.uniform(0.6, 0.95) if has_project else 1.0
        basic = spend * basic_share
        pers = basic * rng.uniform(0.55, 0.8)
        row["personnel"] = amount(rng, pers * 0.99, pers * 1.01)
        row["operating"] = amount(rng, (basic - pers) * 0.99, (basic - pers) * 1.01)
        if has_project:
            row["project"] = amount(rng, spend * (1 - basic_share) * 0.98, spend * (1 - basic_share) * 1.02)
        row["basic"] = row["personnel"] + row["operating"]
        row["total"] = row["basic"] + row.get("project", D(0))
        r = rng.random()
        if r < 0.15:
            row["balance_current"] = data["income"][u]["total"] - row["total"]
            if row["balance_current"] < 0:
                tags.add("negative_balance")
        elif r < 0.22:
            row["balance_current"] = D(0)
            tags.add("zero_typed")
        if rng.random() < 0.2:
            row["balance_accum"] = amount(rng, -30, 120)
            if row["balance_accum"] < 0:
                tags.add("negative_balance")
        data["expenditure"][u] = row
        # 三公经费: a unit may have none (its row stays blank)
        row = {}
        if i == 0 or rng.random() < 0.8:
            chosen = [f for f, p in (("reception", .85), ("vehicle_operation", .5), ("vehicle_purchase", .25),
                                     ("overseas", .3)) if rng.random() < p] or ["reception"]
            for f in chosen:
                row[f] = amount(rng, 0.05, 12 if i == 0 else 6)
            for f in FIELDS["three_public"][1:]:
                if f not in row and rng.random() < 0.1:
                    row[f] = D(0)
                    tags.add("zero_typed")
            row["total"] = sum((row[f] for f in FIELDS["three_public"][1:] if f in row), D(0))
        else:
            tags.add("unit_row_blank_in_table")
        data["three_public"][u] = row
        # 固定资产
        row = {}
        chosen = [f for f, p in (("in_use", .9), ("leased", .25), ("other", .35)) if rng.random() < p] \
            or ["in_use"]
        for f, v in zip(chosen, split_amount(rng, scale * rng.uniform(0.2, 1.2), len(chosen))):
            row[f] = v
        if "leased" not in row and rng.random() < 0.1:
            row["leased"] = D(0)
            tags.add("zero_typed")
        row["total"] = sum((row[f] for f in FIELDS["assets"][1:] if f in row), D(0))
        data["assets"][u] = row
    return data


def add_summary(data, units):
    """Put the 汇总 row first in each table: field by field the sum of the units."""
    out = {}
    for t in MONEY_TABLES:
        total = {}
        for f in FIELDS[t]:
            vals = [data[t][u][f] for u in units if f in data[t][u]]
            if vals:
                total[f] = sum(vals, D(0))
        rows = {"total": total}
        rows.update((u, data[t][u]) for u in units)
        out[t] = rows
    return out


def recompute(t, row):
    parts = FIELDS[t][1:]
    if t == "expenditure":
        if "personnel" in row or "operating" in row:
            row["basic"] = row.get("personnel", D(0)) + row.get("operating", D(0))
        row["total"] = row.get("basic", D(0)) + row.get("project", D(0))
    elif row:
        row["total"] = sum((row[f] for f in parts if f in row), D(0))


def inject_money_error(rng, money, units, kind, spec):
    """Break the money tables the way `kind` says; the rule engine later decides the flags."""
    if kind == "row_sum":
        t = rng.choice(MONEY_TABLES)
        key = rng.choice(["total"] + units)
        row = money[t][key]
        if not row:
            key, row = "total", money[t]["total"]
        delta = D(str(round(rng.uniform(0.5, 60), rng.choice([1, 2, 4]))))
        if t == "expenditure" and rng.random() < 0.5:
            row["basic"] += delta
            row["total"] += delta
            what = "basic"
        else:
            row["total"] += delta
            what = "total"
        if key != "total" and rng.random() < 0.5:
            money[t]["total"][what] += delta   # the 汇总 row carries the wrong figure down
            if what == "basic":
                money[t]["total"]["total"] += delta
        spec.errors_injected.append("row_sum:%s[%s].%s" % (t, key, what))
    elif kind == "summary_sum":
        t = rng.choice(MONEY_TABLES)
        row = money[t]["total"]
        parts = [f for f in FIELDS[t][1:] if f in row and f not in BALANCES and f != "basic"]
        f = rng.choice(parts)
        delta = D(str(round(rng.uniform(0.5, 80), rng.choice([2, 4]))))
        row[f] += delta
        recompute(t, row)
        spec.errors_injected.append("summary_sum:%s.%s" % (t, f))
    elif kind == "negative":
        t = rng.choice(["income", "three_public", "assets"])
        cands = [(u, f) for u in units for f in FIELDS[t][1:] if money[t][u].get(f, 0) > 0]
        u, f = rng.choice(cands)
        row = money[t][u]
        row[f] = -max(amount(rng, 0.1, float(min(row[f], D(20))) + 0.2), D("0.01"))
        recompute(t, row)
        tot = money[t]["total"]
        tot[f] = sum((money[t][x][f] for x in units if f in money[t][x]), D(0))
        recompute(t, tot)
        spec.errors_injected.append("negative:%s[%s].%s" % (t, u, f))
    else:
        raise ValueError(kind)


def round_drift(rng, money, tags):
    """Type a total or basic to 3 decimals (1207.9276 -> 1207.927): rounding, not an error."""
    cands = []
    for t in MONEY_TABLES:
        for key, row in money[t].items():
            for f in ("total", "basic"):
                if f in row and row[f] != row[f].quantize(D("0.001"), ROUND_DOWN):
                    cands.append((t, key, f))
    if not cands:
        return
    t, key, f = rng.choice(cands)
    v = money[t][key][f].quantize(D("0.001"), ROUND_DOWN)
    money[t][key][f] = v
    if key == "total":
        # the unit carries the same rounding, as the seed form's basic spending does
        for u, row in money[t].items():
            if u != "total" and row.get(f) is not None and row[f] - v < D("0.001") and row[f] > v:
                row[f] = v
    tags.add("rounding_within_tolerance")


MONEY_HOW = [(18, "text"), (14, "comma"), (18, "wan"), (4, "comma_wan"), (18, "space"),
             (14, "fullwidth"), (14, "yuan")]


def make_spec(seed, index, fmt):
    """The content and drift of form number `index` (1-based) for this seed."""
    rng = random.Random("formpipe-forms:%s:%d" % (seed, index))
    s = Spec()
    s.key = "%s:%d" % (seed, index)
    tags = s.tags
    s.fmt = fmt
    if fmt != "xls":
        tags.add(fmt)

    county = rng.choice(COUNTIES)
    bureau, field = rng.choice(BUREAUS)
    s.dept = county + bureau
    s.field = field
    s.year = rng.randint(2019, 2024)
    s.title_year = s.year
    errors = []
    if rng.random() < 0.32:
        errors = rng.sample(["row_sum", "row_sum", "summary_sum", "negative", "missing_contact",
                             "grade_mismatch", "year_range", "score_range", "missing_grade"],
                            rng.choice([1, 1, 1, 2]))
        errors = list(dict.fromkeys(errors))
    if "year_range" in errors:
        s.title_year = rng.choice([1999, 2201, 2202, 2120])
        s.errors_injected.append("year_range")
        tags.add("error_year_range")

    # sheets
    s.sheet_name = pick(rng, [(45, "自评表"), (15, "自评表(2)"), (5, "自评表(3)"), (15, "Sheet1"),
                              (20, "整体支出绩效自评表")])
    tags.add("sheet_" + s.sheet_name)
    s.cover = rng.randint(3, len(COVER)) if rng.random() < 0.18 else 0
    if s.cover:
        tags.add("cover_sheet")
    s.report = rng.random() < 0.85
    tags.add("report_sheet" if s.report else "no_report_sheet")
    s.col_off = 1 if rng.random() < 0.25 else 0
    if s.col_off:
        tags.add("column_added_left")
    s.merges = rng.random() < 0.8
    tags.add("merges_template" if s.merges else "merges_removed")

    # title and 填报单位
    s.title = pick(rng, [(75, "{y}年度部门整体支出绩效自评表"), (15, "{y} 年度 部门整体支出绩效自评表"),
                         (10, "{y}年度 部门整体支出绩效自评表")]).format(y=s.title_year)
    if " " in s.title:
        tags.add("title_spaced")
    s.dept_mode = pick(rng, [(65, "one"), (35, "split")])
    pad = pick(rng, [(80, ""), (20, " ")])
    if s.dept_mode == "one":
        s.dept_label = pick(rng, [(30, "填报单位（盖章）："), (20, "填报单位:"), (10, "填报单位："),
                                  (20, "部门名称："), (10, "填报单位(盖章):"), (10, "部门名称:")])
        s.dept_cell = s.dept_label + pad + s.dept
        tags.add("dept_one_cell_" + ("department_name" if "部门名称" in s.dept_label else
                                     "stamp" if "盖章" in s.dept_label else "plain"))
    else:
        s.dept_label = pick(rng, [(25, "填报单位"), (15, "填报单位:"), (15, "填报单位："), (15, "填\u3000报\u3000单\u3000位"),
                                  (15, "部门名称"), (15, "部门名称：")])
        s.dept_cell = pad + s.dept + pad
        tags.add("dept_label_then_name")

    # basic facts
    s.contact = None if "missing_contact" in errors else rand_name(rng)
    if s.contact is None:
        s.errors_injected.append("missing_contact")
        tags.add("error_missing_contact")
    s.contact_pad = pick(rng, [(85, ""), (15, " ")])
    how = pick(rng, [(40, "mobile_text"), (30, "mobile_num"), (20, "landline"), (10, "masked")])
    tags.add("phone_" + how)
    prefix = rng.choice(["130", "133", "135", "137", "138", "139", "150", "151", "158", "173",
                         "177", "180", "186", "189", "199"])
    if how == "mobile_text":
        digits = prefix + "%08d" % rng.randrange(10 ** 8)
        s.phone = (digits, digits)
    elif how == "mobile_num":
        digits = prefix + "%08d" % rng.randrange(10 ** 8)
        s.phone = (float(digits), digits)
    elif how == "landline":
        txt = rng.choice(["0730", "0737", "0736", "0731"]) + "-" + "%07d" % rng.randrange(10 ** 6, 10 ** 7)
        s.phone = (txt, txt)
    else:
        txt = prefix + "x" * 8
        s.phone = (txt, txt)
    quota = rng.randint(6, 220)
    actual = quota - rng.randint(0, min(12, quota - 1))
    if rng.random() < 0.06:
        actual = quota + rng.randint(1, 5)     # a warning, not an error
        tags.add("warning_staff_over_quota")
    s.staff = []
    for v in (quota, actual):
        if rng.random() < 0.15:
            s.staff.append(("%d人" % v, str(v)))
            tags.add("staff_as_text")
        else:
            s.staff.append((float(v), str(v)))
    s.duties = rng.choice(DUTIES).format(f=field)
    goals = rng.sample(WORK, rng.randint(2, 4))
    sep = pick(rng, [(60, ""), (30, "\n"), (10, "\r\n")])
    if sep == "\r\n":
        tags.add("text_crlf")
    s.annual_work = sep.join("目标%d：%s。" % (i + 1, g.format(f=field)) for i, g in enumerate(goals))
    s.achievements = "；".join("%d、%s" % (i + 1, a.format(y=s.year))
                              for i, a in enumerate(rng.sample(ACHIEVE, rng.randint(2, 3)))) + "。"
    s.text_pad = pick(rng, [(85, ""), (10, " "), (5, "\n")])
    if s.text_pad or s.contact_pad:
        tags.add("text_padded")

    # labels
    s.labels = {}
    label_rate = pick(rng, [(35, 0.0), (40, 0.3), (25, 0.7)])
    for key, text, sp in (("contact", "联系人", True), ("phone", "联络电话", True),
                          ("quota", "人员编制", True), ("actual", "实有人数", True),
                          ("duties", "职能职责概述", False), ("score", "绩效自评综合得分", False),
                          ("grade", "评价等次", True), ("filled", "填报日期", True)):
        s.labels[key] = label_variant(rng, text, tags, sp, label_rate)
    s.labels["work"] = pick(rng, [(70, "年度主要\n工作内容"), (20, "年度主要工作内容"), (10, "年度主要工作内容：")])
    s.labels["achieve"] = pick(rng, [(80, ACHIEVE_LABEL), (20, "年度部门(单位)总体运行情况及取得的成绩")])
    if "(" in s.labels["achieve"]:
        tags.add("label_halfwidth_brackets")

    # units and money
    n_extra = pick(rng, [(40, 0), (30, 1), (20, 2), (10, 3)])
    s.units = ["局机关"] + rng.sample(UNIT_NAMES, n_extra)
    tags.add("units_%d" % n_extra)
    s.placeholders = pick(rng, [(65, "blank"), (35, "removed")]) if n_extra < 2 else "blank"
    if n_extra < 2:
        tags.add("placeholders_" + s.placeholders)
    raw = gen_units_money(rng, s.units, tags)
    money = add_summary(raw, s.units)
    for e in errors:
        if e in ("row_sum", "summary_sum", "negative"):
            inject_money_error(rng, money, s.units, e, s)
            tags.add("error_" + e)
    s.formula_tables = set()
    if fmt == "formulas":
        s.formula_tables = {t for t in MONEY_TABLES if rng.random() < 0.6} or {"income"}
    if rng.random() < 0.15 and not s.formula_tables:
        round_drift(rng, money, tags)
    s.money = {}
    text_rate = pick(rng, [(45, 0.0), (30, 0.12), (25, 0.35)])
    for t in MONEY_TABLES:
        s.money[t] = {}
        for key, row in money[t].items():
            cells = {}
            for f, v in row.items():
                if t in s.formula_tables:
                    how = "num"
                elif v < 0:
                    how = "num"
                elif v == 0:
                    how = pick(rng, [(80, "num"), (20, "text")])
                elif rng.random() >= text_rate:
                    how = "num"
                else:
                    how = pick(rng, MONEY_HOW)
                    if how in ("comma", "comma_wan") and abs(v) < 1000:
                        how = "wan"
                    if how == "yuan" and v * 10000 != (v * 10000).to_integral():
                        how = "wan"
                if how != "num":
                    tags.add("money_" + how)
                cells[f] = (v, how)
            s.money[t][key] = cells
    if s.formula_tables:
        mark_formulas(rng, s)

    # goals, indicators
    s.goal_expected = "；".join("目标%d：%s" % (i + 1, g.format(f=field))
                               for i, g in enumerate(rng.sample(GOAL_EXPECTED, rng.randint(1, 3)))) + "。"
    s.goal_achieved = "；".join("%d、%s" % (i + 1, g)
                               for i, g in enumerate(rng.sample(GOAL_ACHIEVED, rng.randint(1, 3)))) + "。"
    inds = []
    exp_total = money["expenditure"]["局机关"].get("total", D(0))
    actuals = ["100%", "1年", "完成培训%d次" % rng.randint(1, 9), money_text(exp_total) + "万元", "98%",
               "按期完成"]
    for kind in ("quality", "quantity", "timeliness", "cost"):
        for _ in range(pick(rng, [(72, 1), (16, 2), (12, 0)])):
            inds.append(("output", kind, rng.choice(TARGETS[kind]), rng.choice(actuals)))
    if not any(c == "output" for c, *_ in inds):
        inds.append(("output", "quality", TARGETS["quality"][0], "100%"))
    for kind, p in (("social", .9), ("economic", .75), ("ecological", .7), ("sustainability", .12)):
        if rng.random() < p:
            inds.append(("benefit", kind, rng.choice(TARGETS[kind]), "效益明显"))
    if not any(c == "benefit" for c, *_ in inds):
        inds.append(("benefit", "social", TARGETS["social"][0], "效益明显"))
    inds.append(("satisfaction", "satisfaction", rng.choice(TARGETS["satisfaction"]), "%d%%" % rng.randint(85, 100)))
    s.indicators = inds
    s.cat_mode = pick(rng, [(60, "merged"), (20, "repeat"), (20, "once")])
    if s.cat_mode == "merged" and not s.merges:
        s.cat_mode = "once"
    tags.add("category_" + s.cat_mode)
    s.cat_labels = {c: rng.choice(v) for c, v in CATEGORY_LABELS.items()}

    # score and grade
    score = D(str(rng.choice([rng.randint(60, 100), rng.randint(75, 99), rng.randint(80, 98),
                              round(rng.uniform(70, 99.5), 1), rng.randint(45, 59)])))
    if "score_range" in errors:
        score = D(rng.choice([105, 120, 101.5, 980]))
        s.errors_injected.append("score_range")
        tags.add("error_score_range")
    grade = grade_of(score) if score <= 100 else "优秀"
    if "grade_mismatch" in errors:
        grade = rng.choice([g for g in ("优秀", "良好", "中", "差") if g != grade])
        s.errors_injected.append("grade_mismatch")
        tags.add("error_grade_mismatch")
    how = pick(rng, [(35, "num"), (25, "text"), (20, "percent"), (20, "fen")])
    tags.add("score_" + how)
    if score != score.to_integral():
        tags.add("score_decimal")
    st = dec_text(score)
    s.score = (score, {"num": float(score), "text": st, "percent": st + "%", "fen": st + "分"}[how])
    if "missing_grade" in errors:
        s.grade = None
        s.errors_injected.append("missing_grade")
        tags.add("error_missing_grade")
    else:
        written = grade if rng.random() < 0.6 else rng.choice(GRADE_ALIASES[grade])
        if written != grade:
            tags.add("grade_alias")
        s.grade = (grade, written)

    # evaluators
    n = pick(rng, [(25, 1), (35, 2), (25, 3), (15, 4)])
    s.evaluators = []
    for _ in range(n):
        title = rng.choice(TITLES) if rng.random() < 0.95 else None
        s.evaluators.append((rand_name(rng), title, s.dept))
    s.eval_rows = 4 if rng.random() < 0.8 else n
    if s.eval_rows == n and n < 4:
        tags.add("evaluator_rows_trimmed")

    # 填报日期
    how = pick(rng, [(45, "cell"), (12, "text_cn"), (10, "text_iso"), (8, "text_slash"), (8, "text_dot"),
                     (17, "none")])
    tags.add("date_" + how)
    if how == "none":
        s.filled = None
    else:
        d = dt.date(s.year + 1, rng.randint(1, 4), rng.randint(1, 28))
        if how == "cell":
            s.filled = (d, "cell", pick(rng, [(50, "yyyy-mm-dd"), (25, "yyyy/m/d"), (25, 'yyyy"年"m"月"d"日"')]))
        else:
            text = {"text_cn": "%d年%d月%d日", "text_iso": "%d-%02d-%02d", "text_slash": "%d/%d/%d",
                    "text_dot": "%d.%d.%d"}[how] % (d.year, d.month, d.day)
            s.filled = (d, "text", text)

    # report
    if s.report:
        inc = money["income"]["total"].get("total", D(0))
        paras = ["一、部门概况", "（一）机构组成及人员概况",
                 "根据编委核定，我局内设科室%d个，所属事业单位%d个。" % (rng.randint(3, 10), n_extra),
                 "二、资金使用及管理情况",
                 "%d年，总收入%s万元，总支出%s万元。" % (s.year, money_text(inc),
                                                money_text(money["expenditure"]["total"].get("total", D(0))))]
        extra = [("三、绩效目标完成情况", "全年各项工作有序推进，绩效目标基本完成。"),
                 ("四、存在的问题", "一是部分项目绩效目标不够细化。二是绩效评价结果运用有待加强。"),
                 ("五、下一步措施", "进一步加强预算绩效管理，提高资金使用效益。")]
        for h, p in extra[:rng.randint(0, 3)]:
            paras += [h, p]
        s.report_paras = paras

    # blank rows
    s.gaps = pick(rng, [(30, 0), (30, 1), (20, 2), (12, 3), (8, 5)])
    s.gap_in_table = rng.random() < 0.12
    s.top_shift = pick(rng, [(75, 0), (15, 1), (10, 2)])
    if s.top_shift:
        tags.add("title_shifted_down")
    return s


def grade_of(score):
    if score >= 90:
        return "优秀"
    if score >= 80:
        return "良好"
    if score >= 60:
        return "中"
    return "差"


def mark_formulas(rng, s):
    """In the formula tables, turn totals that equal their parts into formulas."""
    units = s.units
    for t in MONEY_TABLES:          # in this order: a set's order changes with the hash seed
        if t not in s.formula_tables:
            continue
        rows = s.money[t]
        parts = FIELDS[t][1:]
        for key, cells in rows.items():
            if not cells or "total" not in cells:
                continue
            if t == "expenditure":
                if "basic" in cells and cells["basic"][0] == cells.get("personnel", (D(0),))[0] + \
                        cells.get("operating", (D(0),))[0]:
                    if key != "total" or rng.random() < 0.5:
                        cells["basic"] = (cells["basic"][0], "formula", "expend_basic")
                if cells["total"][0] == cells.get("basic", (D(0),))[0] + cells.get("project", (D(0),))[0]:
                    if key != "total" or rng.random() < 0.5:
                        cells["total"] = (cells["total"][0], "formula", "expend_total")
            else:
                if cells["total"][0] == sum((cells[f][0] for f in parts if f in cells), D(0)):
                    if key != "total" or rng.random() < 0.5:
                        cells["total"] = (cells["total"][0], "formula", "rowsum")
        tot = rows["total"]
        for f in FIELDS[t]:
            if f in tot and len(tot[f]) == 2:
                if tot[f][0] == sum((rows[u][f][0] for u in units if f in rows[u]), D(0)):
                    tot[f] = (tot[f][0], "formula", "colsum")
    s.tags.add("formulas")


# --------------------------------------------------------------------------
# Building the workbook and the facts from a spec


class Facts:
    def __init__(self, dept, year):
        self.dept, self.year = dept, str(year)
        self.items = []   # (table, row, field, value, sheet, Row, col)

    def add(self, table, row, field, value, sheet, r, c):
        self.items.append((table, row, field, value, sheet, r, c))

    def rows(self):
        return [(self.dept, self.year, t, row, f, v, sh.ref(r, c)) for t, row, f, v, sh, r, c in self.items]


def norm_expected_text(s):
    return s.replace("\r\n", "\n").strip(" \t\r\n\u3000")


def build(spec):
    """Lay the form out; return (Book, Facts)."""
    book = Book(spec.merges)
    facts = Facts(spec.dept, spec.title_year)
    if spec.cover:
        cov = book.sheet("填表说明")
        cov.widths[0] = 256 * 60
        for line in COVER[:spec.cover]:
            cov.put(cov.row(), 0, line, "text")
    sh = book.sheet(spec.sheet_name, spec.col_off)
    for c, w in enumerate([16, 14, 14, 14, 14, 14, 14, 14]):
        sh.widths[c] = 256 * w
    put, merge = sh.put, sh.merge

    # title, 填报单位
    title = sh.row("block")
    put(title, 0, spec.title, "title")
    merge(title, title, 0, 7)
    r = sh.row("block")
    if spec.dept_mode == "one":
        put(r, 0, spec.dept_cell, "plain")
        merge(r, r, 0, 7)
        facts.add("info", "", "dept", spec.dept, sh, r, 0)
    else:
        put(r, 0, spec.dept_label, "label")
        put(r, 1, spec.dept_cell, "plain")
        merge(r, r, 1, 3)
        facts.add("info", "", "dept", spec.dept, sh, r, 1)
    facts.add("info", "", "year", str(spec.title_year), sh, title, 0)

    # 一、基本概况
    r = sh.row("block")
    put(r, 0, TITLE_SECTION1, "label")
    merge(r, r, 0, 7)
    r = sh.row()
    put(r, 0, spec.labels["contact"], "label")
    if spec.contact is not None:
        put(r, 1, spec.contact_pad + spec.contact + spec.contact_pad)
        facts.add("info", "", "contact", spec.contact, sh, r, 1)
    else:
        put(r, 1, None)
    merge(r, r, 1, 3)
    put(r, 4, spec.labels["phone"], "label")
    put(r, 5, spec.phone[0], "phone" if isinstance(spec.phone[0], float) else "plain")
    merge(r, r, 5, 7)
    facts.add("info", "", "phone", spec.phone[1], sh, r, 5)
    r = sh.row("block")
    put(r, 0, spec.labels["quota"], "label")
    put(r, 1, spec.staff[0][0])
    merge(r, r, 1, 3)
    facts.add("info", "", "staff_quota", spec.staff[0][1], sh, r, 1)
    put(r, 4, spec.labels["actual"], "label")
    put(r, 5, spec.staff[1][0])
    merge(r, r, 5, 7)
    facts.add("info", "", "staff_actual", spec.staff[1][1], sh, r, 5)
    for key, field, text in (("duties", "duties", spec.duties), ("work", "annual_work", spec.annual_work),
                             ("achieve", "achievements", spec.achievements)):
        r = sh.row("block")
        put(r, 0, spec.labels[key], "label")
        put(r, 1, spec.text_pad + text + spec.text_pad)
        merge(r, r, 1, 7)
        facts.add("info", "", field, norm_expected_text(text), sh, r, 1)

    # 二、收支情况
    r = sh.row("block")
    put(r, 0, "二、部门（单位）收支情况", "label")
    merge(r, r, 0, 7)
    r = sh.row("block")
    put(r, 0, "年度收入情况（万元）", "label")
    merge(r, r, 0, 7)
    h1, h2 = sh.row("block"), sh.row()
    put(h1, 0, "机构名称", "label"), merge(h1, h2, 0, 0)
    put(h1, 1, "收入合计", "label"), merge(h1, h2, 1, 1)
    put(h1, 2, "其中：", "label"), merge(h1, h1, 2, 6)
    for c, text in enumerate(["上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入"], start=2):
        put(h2, c, text, "label")
    money_rows(sh, spec, facts, "income", 7)

    r = sh.row("block")
    put(r, 0, "部门（单位）年度支出和结余情况（万元）", "label")
    merge(r, r, 0, 7)
    h1, h2, h3 = sh.row("block"), sh.row(), sh.row()
    put(h1, 0, "机构名称", "label"), merge(h1, h3, 0, 0)
    put(h1, 1, "支出合计", "label"), merge(h1, h3, 1, 1)
    put(h1, 2, "其中：", "label"), merge(h1, h1, 2, 5)
    put(h1, 6, "结余", "label"), merge(h1, h1, 6, 7)
    put(h2, 2, "基本支出", "label"), merge(h2, h3, 2, 2)
    put(h2, 3, "其中：", "label"), merge(h2, h2, 3, 4)
    put(h2, 5, "项目支出", "label"), merge(h2, h3, 5, 5)
    put(h2, 6, "当年结余", "label"), merge(h2, h3, 6, 6)
    put(h2, 7, "累计结余", "label"), merge(h2, h3, 7, 7)
    put(h3, 3, "人员支出", "label")
    put(h3, 4, "公用支出", "label")
    money_rows(sh, spec, facts, "expenditure", 8)

    h1, h2 = sh.row("block"), sh.row()
    put(h1, 0, "机构名称", "label"), merge(h1, h2, 0, 0)
    put(h1, 1, "三公经费\n合计", "label"), merge(h1, h2, 1, 1)
    put(h1, 2, "其中：", "label"), merge(h1, h1, 2, 5)
    for c, text in enumerate(["公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"], start=2):
        put(h2, c, text, "label")
    money_rows(sh, spec, facts, "three_public", 6)

    h1, h2 = sh.row("block"), sh.row()
    put(h1, 0, "机构名称", "label"), merge(h1, h2, 0, 0)
    put(h1, 1, "固定资产\n合计", "label"), merge(h1, h2, 1, 1)
    put(h1, 2, "其中：", "label"), merge(h1, h1, 2, 3)
    put(h1, 4, "其他", "label"), merge(h1, h2, 4, 4)
    put(h2, 2, "在用固定资产", "label")
    put(h2, 3, "出租固定资产", "label")
    money_rows(sh, spec, facts, "assets", 5)

    # 三、自评情况: 定性目标
    r = sh.row("block")
    put(r, 0, "三、部门（单位）整体支出绩效自评情况", "label")
    merge(r, r, 0, 7)
    g1, g2 = sh.row("block"), sh.row()
    put(g1, 0, "整体支出绩效定性目标及实施计划完成情况", "label"), merge(g1, g2, 0, 0)
    put(g1, 1, "预期目标", "label"), merge(g1, g1, 1, 3)
    put(g1, 4, "实际完成", "label"), merge(g1, g1, 4, 7)
    put(g2, 1, spec.goal_expected), merge(g2, g2, 1, 3)
    put(g2, 4, spec.goal_achieved), merge(g2, g2, 4, 7)
    facts.add("goal", "", "expected", spec.goal_expected, sh, g2, 1)
    facts.add("goal", "", "achieved", spec.goal_achieved, sh, g2, 4)

    # 定量指标
    hdr = sh.row("block")
    put(hdr, 0, "整体支出\n绩效定量目标及实施计划完成情况", "label")
    put(hdr, 1, "评价内容", "label"), merge(hdr, hdr, 1, 2)
    put(hdr, 3, "绩效目标", "label"), merge(hdr, hdr, 3, 5)
    put(hdr, 6, "完成情况", "label"), merge(hdr, hdr, 6, 7)
    last = hdr
    i = 0
    groups = []
    for cat, kind, target, actual in spec.indicators:
        if groups and groups[-1][0] == cat:
            groups[-1][1].append((kind, target, actual))
        else:
            groups.append((cat, [(kind, target, actual)]))
    for cat, items in groups:
        rows = [sh.row() for _ in items]
        first = rows[0]
        label = spec.cat_labels[cat]
        for j, (r, (kind, target, actual)) in enumerate(zip(rows, items)):
            i += 1
            n = str(i)
            if cat == "satisfaction":
                put(r, 1, label, "label")
                merge(r, r, 1, 2)
                facts.add("indicator", n, "category", cat, sh, r, 1)
                facts.add("indicator", n, "kind", kind, sh, r, 1)
            else:
                if spec.cat_mode == "repeat":
                    put(r, 1, label, "label")
                    facts.add("indicator", n, "category", cat, sh, r, 1)
                else:
                    if j == 0:
                        put(r, 1, label, "label")
                    elif spec.merges:
                        put(r, 1, None, "label")
                    facts.add("indicator", n, "category", cat, sh, first, 1)
                put(r, 2, KIND_LABELS[kind], "label")
                facts.add("indicator", n, "kind", kind, sh, r, 2)
            put(r, 3, target), merge(r, r, 3, 5)
            facts.add("indicator", n, "target", target, sh, r, 3)
            put(r, 6, actual), merge(r, r, 6, 7)
            facts.add("indicator", n, "actual", actual, sh, r, 6)
        if cat != "satisfaction" and spec.cat_mode == "merged" and len(rows) > 1:
            merge(first, rows[-1], 1, 1)
        last = rows[-1]
    merge(hdr, last, 0, 0)

    # 得分, 等次
    r = sh.row("block")
    put(r, 0, spec.labels["score"], "label")
    put(r, 1, spec.score[1])
    merge(r, r, 1, 7)
    facts.add("evaluation", "", "score", num_text(float(spec.score[0])), sh, r, 1)
    r = sh.row("block")
    put(r, 0, spec.labels["grade"], "label")
    if spec.grade is not None:
        put(r, 1, spec.grade[1])
        facts.add("evaluation", "", "grade", spec.grade[0], sh, r, 1)
    else:
        put(r, 1, None)
    merge(r, r, 1, 7)

    # 四、评价人员
    r = sh.row("block")
    put(r, 0, "四、评价人员", "label")
    merge(r, r, 0, 7)
    r = sh.row()
    for c, text in zip((0, 2, 4, 6), ("姓  名", "职务/职称", "单  位", "签  字")):
        put(r, c, text, "label"), merge(r, r, c, c + 1)
    for k in range(spec.eval_rows):
        r = sh.row()
        person = spec.evaluators[k] if k < len(spec.evaluators) else (None, None, None)
        for j, (c, field) in enumerate(((0, "name"), (2, "title"), (4, "unit"))):
            put(r, c, person[j])
            merge(r, r, c, c + 1)
            if person[j] is not None:
                facts.add("evaluator", str(k + 1), field, person[j], sh, r, c)
        put(r, 6, None), merge(r, r, 6, 7)

    # signatures, 填报日期
    r = sh.row("block")
    put(r, 0, SIGN_LEADER), merge(r, r, 0, 7)
    r = sh.row("block")
    put(r, 0, SIGN_DEPT), merge(r, r, 0, 7)
    r = sh.row("block")
    put(r, 0, "填报人（签名）：", "label")
    put(r, 2, "联系电话：", "label")
    put(r, 4, spec.labels["filled"], "label")
    if spec.filled is None:
        put(r, 5, None, "date:yyyy-mm-dd")
    elif spec.filled[1] == "cell":
        put(r, 5, spec.filled[0], "date:" + spec.filled[2], "date")
        facts.add("info", "", "filled_date", spec.filled[0].isoformat(), sh, r, 5)
    else:
        put(r, 5, spec.filled[2])
        facts.add("info", "", "filled_date", spec.filled[0].isoformat(), sh, r, 5)
    merge(r, r, 5, 6)

    # 评价报告
    if spec.report:
        rep = book.sheet("评价报告")
        rep.widths[0] = 256 * 100
        rep.put(rep.row(), 0, REPORT_HEADING, "text")
        first = None
        for p in spec.report_paras:
            r = rep.row()
            rep.put(r, 0, p, "text")
            first = first or r
        facts.add("report", "", "text", "\n".join(spec.report_paras), rep, first, 0)

    insert_gaps(spec, sh)
    for s in book.sheets:
        s.number()
    return book, facts


def money_rows(sh, spec, facts, table, ncols):
    """The 汇总 row, the unit rows and the template's placeholders of one money table."""
    fields = FIELDS[table]
    col = {f: i + 1 for i, f in enumerate(fields)}
    rows = spec.money[table]
    keys = ["total"] + spec.units
    row_objs = {}
    for i, key in enumerate(keys):
        r = sh.row("table")
        row_objs[key] = r
        label = TOTAL_LABEL if key == "total" else "%d、%s" % (i, key)
        sh.put(r, 0, label, "label")
        cells = rows[key]
        for f in fields:
            c = col[f]
            if f not in cells:
                sh.put(r, c, None, "plain")
                continue
            v = cells[f]
            if v[1] == "formula":
                sh.put(r, c, float(v[0]), "money", "formula", formula=(v[2], table, key))
            else:
                value, kind = render_money(v[0], v[1])
                sh.put(r, c, value, "money" if kind == "num" else "plain", kind)
            facts.add(table, key, f, money_text(v[0]), sh, r, c)
        for c in range(len(fields) + 1, ncols):
            sh.put(r, c, None, "plain")
    if spec.placeholders == "blank":
        for k in range(len(spec.units) + 1, 4):
            r = sh.row("table")
            sh.put(r, 0, "%d、二级机构%d" % (k, k - 1), "label")
            for c in range(1, ncols):
                sh.put(r, c, None, "plain")
    # formulas need the rows of this table: keep them on the cells
    for key, r in row_objs.items():
        for c, cell in r.cells.items():
            if cell.formula:
                cell.formula = (cell.formula[0], table, key, row_objs, col, spec.units)


def insert_gaps(spec, sh):
    """Blank rows before some rows: at the top, between blocks, rarely inside a table."""
    rng = random.Random("gaps:%s" % spec.key)
    rows = sh.rows
    cands = [i for i, r in enumerate(rows) if r.gap == "block" and i > 0]
    table = [i for i, r in enumerate(rows) if r.gap == "table"]
    chosen = {}
    for i in rng.sample(cands, min(spec.gaps, len(cands))):
        chosen[i] = rng.choice([1, 1, 2])
    if spec.gap_in_table and table:
        chosen[rng.choice(table)] = 1
        spec.tags.add("blank_row_in_table")
    if chosen:
        spec.tags.add("blank_rows")
    out = [Row() for _ in range(spec.top_shift)]
    for i, r in enumerate(rows):
        out += [Row() for _ in range(chosen.get(i, 0))]
        out.append(r)
    sh.rows[:] = out


# --------------------------------------------------------------------------
# Writing

_STYLES = {}


def style(key):
    if key in _STYLES:
        return _STYLES[key]
    border = "borders: left thin, right thin, top thin, bottom thin;"
    if key == "title":
        st = xlwt.easyxf("font: bold on, height 320; align: horiz center, vert center, wrap on")
    elif key == "label":
        st = xlwt.easyxf("font: bold on; align: vert center, wrap on;" + border)
    elif key == "plain":
        st = xlwt.easyxf("align: vert center, wrap on;" + border)
    elif key == "money":
        st = xlwt.easyxf("align: vert center;" + border, num_format_str="0.0000")
    elif key == "phone":
        st = xlwt.easyxf("align: vert center;" + border, num_format_str="0")
    elif key == "text":
        st = xlwt.easyxf("align: vert center")
    elif key.startswith("date:") or key.startswith("num:"):
        st = xlwt.easyxf("align: vert center;" + border, num_format_str=key.split(":", 1)[1])
    else:
        raise ValueError(key)
    _STYLES[key] = st
    return st


def formula_text(sh, spec_formula):
    """The formula of a row total, in one of two styles, alternating down the table.

    Departments write both =SUM(C14:G14) and =C14+D14+...; alternating them
    also keeps two like formulas out of adjacent rows, which LibreOffice
    would store as one shared formula or not, depending on the run.
    """
    kind, table, key, row_objs, col, units = spec_formula
    r = row_objs[key]
    odd = (["total"] + units).index(key) % 2 == 1
    if kind == "rowsum":
        cols = range(2, len(FIELDS[table]) + 1)
    elif kind == "expend_basic":
        cols = (3, 4)
    elif kind == "expend_total":
        cols = (2, 5)
        return "SUM(%s,%s)" % (sh.a1(r, 2), sh.a1(r, 5)) if odd else "%s+%s" % (sh.a1(r, 2), sh.a1(r, 5))
    else:
        raise ValueError(kind)
    if odd:
        return "+".join(sh.a1(r, c) for c in cols)
    return "SUM(%s:%s)" % (sh.a1(r, cols[0]), sh.a1(r, cols[-1]))


def colsum_text(sh, cell_col, row_objs, units):
    top, bottom = row_objs[units[0]], row_objs[units[-1]]
    return "SUM(%s:%s)" % (sh.a1(top, cell_col), sh.a1(bottom, cell_col))


def write_xls(book, path):
    wb = xlwt.Workbook(encoding="utf-8")
    for sh in book.sheets:
        ws = wb.add_sheet(sh.name, cell_overwrite_ok=True)
        off = sh.col_off
        for c, w in sh.widths.items():
            ws.col(c + off).width = w
        if book.merges:
            for r1, r2, c1, c2 in sh.merges:
                top = r1.cells.get(c1)
                ws.merge(r1.idx, r2.idx, c1 + off, c2 + off, style(top.style if top else "plain"))
        for r in sh.rows:
            for c, cell in sorted(r.cells.items()):
                st = style(cell.style)
                if cell.kind == "blank":
                    ws.write(r.idx, c + off, None, st)
                elif cell.kind == "formula":
                    f = cell.formula
                    if f[0] == "colsum":
                        text = colsum_text(sh, c, f[3], f[5])
                    else:
                        text = formula_text(sh, f)
                    ws.write(r.idx, c + off, xlwt.Formula(text), st)
                elif cell.kind == "date":
                    ws.write(r.idx, c + off, serial(cell.value), st)
                else:
                    ws.write(r.idx, c + off, cell.value, st)
    wb.save(path)


def write_csvs(base, facts, errors):
    with open(base + ".expected.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["dept", "year", "table", "row", "field", "value", "source"])
        w.writerows(facts)
    with open(base + ".errors.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["dept", "year", "table", "row"])
        w.writerows(errors)


# --------------------------------------------------------------------------
# The error rules of SPEC.md, over canonical facts

TOL = 0.01


def find_errors(facts):
    """(dept, year, table, row) of every row an error rule flags, in form order.

    facts: rows (dept, year, table, row, field, value, source) of one form.
    """
    if not facts:
        return []
    dept, year = facts[0][0], facts[0][1]
    vals = {}
    order = []
    for _, _, t, row, f, v, _ in facts:
        if (t, row) not in order:
            order.append((t, row))
        vals.setdefault((t, row), {})[f] = v
    flagged = set()

    def num(t, row, f):
        v = vals.get((t, row), {}).get(f)
        return float(v) if v is not None else 0.0

    for t in MONEY_TABLES:
        keys = [row for (tt, row) in order if tt == t]
        for row in keys:
            have = vals[(t, row)]
            g = lambda f: num(t, row, f)  # noqa: E731
            if t == "expenditure":
                bad = abs(g("total") - g("basic") - g("project")) > TOL + 1e-9 or \
                    abs(g("basic") - g("personnel") - g("operating")) > TOL + 1e-9
            else:
                bad = abs(g("total") - sum(g(f) for f in FIELDS[t][1:])) > TOL + 1e-9
            if bad:
                flagged.add((t, row))
            if any(float(v) < 0 for f, v in have.items() if f not in BALANCES):
                flagged.add((t, row))
        units = [row for row in keys if row != "total"]
        if "total" in keys:
            for f in FIELDS[t]:
                if abs(num(t, "total", f) - sum(num(t, u, f) for u in units)) > TOL + 1e-9:
                    flagged.add((t, "total"))
    info = vals.get(("info", ""), {})
    if not info.get("dept") or not info.get("year") or not info.get("contact"):
        flagged.add(("info", ""))
    if info.get("year") and not (2000 <= int(info["year"]) <= 2100):
        flagged.add(("info", ""))
    if "total" not in vals.get(("income", "total"), {}):
        flagged.add(("income", "total"))
    if "total" not in vals.get(("expenditure", "total"), {}):
        flagged.add(("expenditure", "total"))
    ev = vals.get(("evaluation", ""), {})
    if "score" not in ev or "grade" not in ev:
        flagged.add(("evaluation", ""))
    else:
        sc = float(ev["score"])
        if not (0 <= sc <= 100) or grade_of(sc) != ev["grade"]:
            flagged.add(("evaluation", ""))
    out = [(dept, year, t, row) for (t, row) in order if (t, row) in flagged]
    for t, row in sorted(flagged):
        if (t, row) not in order:
            out.append((dept, year, t, row))
    return out


# --------------------------------------------------------------------------
# Converting: LibreOffice for formulas, gnumeric for BIFF5


def lo_recalc(pairs):
    """Open each (in, out) .xls in one headless LibreOffice, recalculate, save as Excel 97."""
    import lo
    with lo.Office() as desktop:
        for src, dst in pairs:
            doc = lo.load(desktop, src)
            doc.calculateAll()
            lo.fix_properties(doc)
            doc.storeToURL(lo.url(dst), lo.props(FilterName="MS Excel 97"))
            doc.close(True)
            lo.pin_summary_times(dst)


def to_biff5(src, dst, tmp):
    """BIFF8 .xls -> .xlsx -> BIFF5 in code page 936, through gnumeric.

    The .xlsx step matters: from a BIFF8 source gnumeric keeps code page
    1200 (UTF-16), which BIFF5 cannot carry.
    """
    import olefile
    import gbk_biff5
    env = dict(os.environ, HOME=tmp, WINDOWS_LANGUAGE="zh_CN", LC_ALL="C.UTF-8")
    mid = os.path.join(tmp, os.path.basename(src) + ".xlsx")
    for args in (["ssconvert", src, mid], ["ssconvert", "-T", "Gnumeric_Excel:excel_biff7", mid, dst]):
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ole = olefile.OleFileIO(dst, write_mode=True)
    try:
        book = canonical_fonts(ole.openstream("Book").read())
        ole.write_stream("Book", gbk_biff5.fix_book(book))
    finally:
        ole.close()


def canonical_fonts(data):
    """Put gnumeric's FONT records in a fixed order and renumber the XFs' font indices.

    gnumeric writes fonts in hash-table order, which changes from run to
    run; gbk_biff5.fix_book then orders the XFs by their bytes, font index
    included, so the fonts must be fixed first. Font 0 (the default) stays;
    the others are sorted by their bytes. Font index 4 does not exist in
    BIFF, so the i-th FONT record has index i, or i + 1 from the fifth on.
    The stream keeps its length.
    """
    import struct
    FONT, XF = 0x0031, 0x00E0
    out = bytearray(data)
    recs = []
    pos = 0
    while pos + 4 <= len(data):
        rid, size = struct.unpack_from("<HH", data, pos)
        recs.append((pos, rid, size))
        pos += 4 + size
    fonts = [(p, sz) for p, rid, sz in recs if rid == FONT]
    if len(fonts) < 3:
        return bytes(out)
    start, end = fonts[0][0], fonts[-1][0] + 4 + fonts[-1][1]
    assert end - start == sum(4 + sz for _, sz in fonts), "FONT records not contiguous"
    ix = lambda i: i if i < 4 else i + 1  # noqa: E731
    bodies = [bytes(data[p:p + 4 + sz]) for p, sz in fonts]
    order = [0] + sorted(range(1, len(bodies)), key=lambda i: bodies[i])
    # identical fonts all map to the first copy, so their order cannot leak
    first = {}
    for new, old in enumerate(order):
        first.setdefault(bodies[old], new)
    fmap = {ix(old): ix(first[bodies[old]]) for old in range(len(bodies))}
    out[start:end] = b"".join(bodies[i] for i in order)
    k = 0
    for p, rid, sz in recs:
        if rid == XF:
            old = struct.unpack_from("<H", out, p + 4)[0]
            new = fmap.get(old, old)
            if k < gbk_fixed_xfs() and old != 0:
                # gnumeric's built-in style XFs name fonts by their place in
                # its unordered table; give them Excel's defaults instead
                new = 2 if k in (3, 4) else 1
            struct.pack_into("<H", out, p + 4, new)
            k += 1
    return bytes(out)


def gbk_fixed_xfs():
    import gbk_biff5
    return gbk_biff5.FIXED_XFS


# --------------------------------------------------------------------------
# Generating a corpus

# The drift a sample must show at least once (tags set by make_spec and build).
REQUIRED_TAGS = """
blank_rows blank_row_in_table column_added_left title_shifted_down
merges_template merges_removed category_merged category_repeat category_once
money_text money_comma money_wan money_space money_fullwidth money_yuan zero_typed
rounding_within_tolerance negative_balance staff_as_text
score_num score_text score_percent score_fen score_decimal grade_alias
phone_mobile_num phone_mobile_text phone_landline phone_masked
label_spaced label_colon_fw label_colon_hw label_ideo label_linebreak label_halfwidth_brackets
dept_one_cell_stamp dept_one_cell_plain dept_one_cell_department_name dept_label_then_name
sheet_自评表 sheet_自评表(2) sheet_Sheet1 sheet_整体支出绩效自评表 cover_sheet report_sheet no_report_sheet
date_cell date_text_cn date_text_iso date_text_slash date_text_dot date_none
units_0 units_1 units_2 units_3 placeholders_blank placeholders_removed unit_row_blank_in_table
error_row_sum error_summary_sum error_negative error_missing_contact error_grade_mismatch error_year_range
formulas biff5
""".split()

def formats(seed, count, f_formulas, f_biff5):
    """Which forms get formulas and which BIFF5: exactly round(F*N) of each, seeded."""
    idx = list(range(1, count + 1))
    random.Random("formats:%s:%d" % (seed, count)).shuffle(idx)
    nf = int(round(f_formulas * count))
    nb = int(round(f_biff5 * count))
    out = {i: "xls" for i in range(1, count + 1)}
    for i in idx[:nf]:
        out[i] = "formulas"
    for i in idx[nf:nf + nb]:
        out[i] = "biff5"
    return out


def generate(seed, count, out, f_formulas=0.0, f_biff5=0.0):
    os.makedirs(out, exist_ok=True)
    fmts = formats(seed, count, f_formulas, f_biff5)
    lo_jobs = []
    manifest = []
    tmp = tempfile.mkdtemp(prefix="gen-forms-")
    try:
        for i in range(1, count + 1):
            spec = make_spec(seed, i, fmts[i])
            book, facts = build(spec)
            rows = facts.rows()
            errors = find_errors(rows)
            base = os.path.join(out, "form-%04d" % i)
            if spec.fmt == "xls":
                write_xls(book, base + ".xls")
            else:
                src = os.path.join(tmp, "form-%04d.xls" % i)
                write_xls(book, src)
                if spec.fmt == "formulas":
                    lo_jobs.append((src, base + ".xls"))
                else:
                    to_biff5(src, base + ".xls", tmp)
            write_csvs(base, rows, errors)
            manifest.append((i, spec, errors))
        if lo_jobs:
            lo_recalc(lo_jobs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


# --------------------------------------------------------------------------
# Verification: read each workbook back and check every fact against its
# source cell, with normalisation written apart from the generator's.

FW_IN = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
KIND_CODES = {v: k for k, v in KIND_LABELS.items()}


def squash(s):
    return re.sub(r"[\s\u3000]+", "", s)


def v_money(cell):
    if cell.ctype in (xlrd.XL_CELL_NUMBER,):
        return float(cell.value)
    s = str(cell.value).strip(" \u3000\t\r\n").translate(FW_IN).replace(",", "")
    if s.endswith("万元"):
        return float(s[:-2])
    if s.endswith("元"):
        return float(s[:-1]) / 10000
    return float(s)


def v_date(cell, datemode):
    if cell.ctype == xlrd.XL_CELL_DATE:
        y, m, d, *_ = xlrd.xldate_as_tuple(cell.value, datemode)
        return "%04d-%02d-%02d" % (y, m, d)
    m = re.fullmatch(r"\s*(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?\s*", cell.value)
    return "%04d-%02d-%02d" % tuple(int(x) for x in m.groups())


def v_text(cell):
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return num_text(cell.value)
    return norm_expected_text(cell.value)


NUMERIC = set(MONEY_TABLES)


def check_fact(bk, fact):
    """None if the fact's value is what its source cell holds, else a message."""
    dept, year, table, row, field, value, source = fact
    m = re.fullmatch(r"(.+)!([A-Z]+)(\d+)", source)
    sheet, colname, rownum = m.group(1), m.group(2), int(m.group(3))
    try:
        sh = bk.sheet_by_name(sheet)
    except xlrd.XLRDError:
        return "no sheet %r" % sheet
    c = 0
    for ch in colname:
        c = c * 26 + ord(ch) - 64
    r, c = rownum - 1, c - 1
    if r >= sh.nrows or c >= sh.ncols:
        return "source outside the sheet"
    cell = sh.cell(r, c)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return "source cell is empty"
    try:
        if table in NUMERIC:
            got = v_money(cell)
            ok = abs(got - float(value)) <= 1e-9 * max(1.0, abs(got))
        elif (table, field) in (("info", "staff_quota"), ("info", "staff_actual")):
            got = cell.value if cell.ctype == xlrd.XL_CELL_NUMBER else float(cell.value.strip().rstrip("人"))
            ok = float(got) == float(value)
        elif (table, field) == ("evaluation", "score"):
            got = cell.value if cell.ctype == xlrd.XL_CELL_NUMBER else \
                float(cell.value.strip().rstrip("%分"))
            ok = float(got) == float(value)
        elif (table, field) == ("evaluation", "grade"):
            got = ALIAS_TO_GRADE.get(cell.value.strip())
            ok = got == value
        elif (table, field) == ("info", "phone"):
            got = "%d" % cell.value if cell.ctype == xlrd.XL_CELL_NUMBER else cell.value.strip()
            ok = got == value
        elif (table, field) == ("info", "filled_date"):
            got = v_date(cell, bk.datemode)
            ok = got == value
        elif (table, field) == ("info", "year"):
            got = re.search(r"(\d{4})\s*年度", cell.value).group(1)
            ok = got == value
        elif (table, field) == ("info", "dept"):
            got = re.sub(r"^(填报单位|部门名称)([(（]盖章[)）])?[:：]?", "", squash(cell.value))
            ok = got == value
        elif table == "indicator" and field == "category":
            t = cell.value
            got = "satisfaction" if "满意度" in t else "benefit" if "效益" in t else "output" if "产出" in t else None
            ok = got == value
        elif table == "indicator" and field == "kind":
            t = squash(cell.value)
            got = "satisfaction" if "满意度" in t else KIND_CODES.get(t)
            ok = got == value
        elif table == "report":
            paras = [v_text(sh.cell(k, c)) for k in range(r, sh.nrows)
                     if sh.cell(k, c).ctype not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)]
            got = "\n".join(paras)
            ok = got == value
        else:
            got = v_text(cell)
            ok = got == norm_expected_text(value)
    except Exception as e:  # noqa
        return "cannot read %r: %s" % (cell.value, e)
    if not ok:
        return "value %r, cell %r gives %r" % (value, cell.value, got)
    return None


def verify_form(path):
    """Problems of one form: unreadable, a fact that is not in its cell, a cell with no fact."""
    base = path[:-4]
    problems = []
    try:
        bk = xlrd.open_workbook(path, formatting_info=False)
    except Exception as e:  # noqa
        return ["%s: xlrd cannot open it: %s" % (path, e)]
    with open(base + ".expected.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows[0] != ["dept", "year", "table", "row", "field", "value", "source"]:
        problems.append("%s: bad expected header" % base)
    facts = [tuple(r) for r in rows[1:]]
    keys = set()
    sources = set()
    for f in facts:
        k = f[2:5]
        if k in keys:
            problems.append("%s: fact %s twice" % (base, k))
        keys.add(k)
        sources.add(f[6])
        msg = check_fact(bk, f)
        if msg:
            problems.append("%s: %s.%s[%s] from %s: %s" % (os.path.basename(base), f[2], f[4], f[3], f[6], msg))
    # every number, date or number-looking text on the form sheet is a source
    main = bk.sheet_by_name(facts[0][6].split("!")[0]) if facts else None
    if main is not None:
        for r in range(main.nrows):
            for c in range(main.ncols):
                cell = main.cell(r, c)
                ref = "%s!%s" % (main.name, xlrd.cellname(r, c))
                looks = cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE) or (
                    cell.ctype == xlrd.XL_CELL_TEXT and re.fullmatch(
                        r"[\s\u3000]*[-0-9０-９.,．，]+(万元|元)?[\s\u3000]*", cell.value))
                if looks and ref not in sources:
                    problems.append("%s: %s holds %r but no fact comes from it"
                                    % (os.path.basename(base), ref, cell.value))
    # the errors file is what the rules give on the facts
    with open(base + ".errors.csv", newline="", encoding="utf-8") as fh:
        errs = [tuple(r) for r in list(csv.reader(fh))[1:]]
    if sorted(errs) != sorted(find_errors(facts)):
        problems.append("%s: errors.csv differs from the rules" % base)
    return problems


def verify_dir(d):
    forms = sorted(glob.glob(os.path.join(d, "*.xls")))
    problems = []
    for f in forms:
        problems += verify_form(f)
    return len(forms), problems


# --------------------------------------------------------------------------
# Self-test: the seed form rebuilt from its data, and the rules on the examples


def seed_spec():
    """The seed form's content, typed as the seed types it, on the undrifted layout."""
    path = os.path.join(SHARED, "xiangyin-emergency-2021.xls")
    sh = xlrd.open_workbook(path).sheet_by_name("自评表")
    cv = lambda a1: sh.cell(*a1_rc(a1)).value  # noqa: E731
    s = Spec()
    s.fmt = "xls"
    s.dept, s.year, s.title_year = "湘阴县应急管理局", 2021, 2021
    s.sheet_name, s.cover, s.report, s.col_off, s.merges = "自评表", 0, True, 0, True
    s.title = cv("A1")
    s.dept_mode, s.dept_label, s.dept_cell = "one", "填报单位:", cv("A2")
    s.contact, s.contact_pad = cv("B4"), ""
    s.phone = (cv("F4"), cv("F4"))
    s.staff = [(cv("B5"), num_text(cv("B5"))), (cv("F5"), num_text(cv("F5")))]
    s.duties, s.annual_work, s.achievements, s.text_pad = cv("B6"), cv("B7"), cv("B8"), ""
    s.labels = {"contact": "联系人", "phone": "联络电话", "quota": "人员编制", "actual": "实有人数",
                "duties": "职能职责概述", "work": "年度主要\n工作内容", "achieve": ACHIEVE_LABEL,
                "score": "绩效自评综合得分", "grade": "评价等次", "filled": "填报日期"}
    s.units, s.placeholders = ["局机关"], "blank"
    s.money = {}
    for t, r0 in (("income", 13), ("expenditure", 21), ("three_public", 27), ("assets", 33)):
        s.money[t] = {}
        for key, r in (("total", r0), ("局机关", r0 + 1)):
            cells = {}
            for i, f in enumerate(FIELDS[t]):
                v = sh.cell(r - 1, i + 1).value
                if v != "":
                    cells[f] = (D(repr(v)), "num")
            s.money[t][key] = cells
    s.formula_tables = set()
    s.goal_expected, s.goal_achieved = cv("B39"), cv("E39")
    s.indicators = []
    cat = None
    for r in range(41, 49):
        if cv("B%d" % r):
            cat = "satisfaction" if "满意度" in cv("B%d" % r) else "benefit" if "效益" in cv("B%d" % r) else "output"
        kind = "satisfaction" if cat == "satisfaction" else KIND_CODES[cv("C%d" % r)]
        s.indicators.append((cat, kind, cv("D%d" % r), cv("G%d" % r)))
    s.cat_mode = "merged"
    s.cat_labels = {"output": cv("B41"), "benefit": cv("B45"), "satisfaction": cv("B48")}
    s.score = (D("98"), "98%")
    s.grade = ("优秀", cv("B50"))
    s.evaluators = [(cv("A%d" % r), cv("C%d" % r), cv("E%d" % r)) for r in (53, 54)]
    s.eval_rows = 4
    s.filled = None
    rep = xlrd.open_workbook(path).sheet_by_name("评价报告")
    s.report_paras = [rep.cell(r, 0).value for r in range(1, rep.nrows)]
    s.gaps, s.gap_in_table, s.top_shift, s.key = 0, False, 0, "seed"
    s.tags = set()
    return s


def a1_rc(a1):
    m = re.fullmatch(r"([A-Z]+)(\d+)", a1)
    c = 0
    for ch in m.group(1):
        c = c * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, c - 1


def grid(path):
    bk = xlrd.open_workbook(path, formatting_info=True)
    out = {}
    for sh in bk.sheets():
        cells = {(r, c): (sh.cell(r, c).ctype, sh.cell(r, c).value)
                 for r in range(sh.nrows) for c in range(sh.ncols)
                 if sh.cell(r, c).ctype not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)}
        out[sh.name] = (cells, sorted(sh.merged_cells))
    return out


def selftest():
    ok = True
    tmp = tempfile.mkdtemp(prefix="gen-forms-selftest-")
    try:
        spec = seed_spec()
        book, facts = build(spec)
        path = os.path.join(tmp, "seed.xls")
        write_xls(book, path)
        rows = facts.rows()
        with open(os.path.join(SHARED, "xiangyin-emergency-2021.expected.csv"), newline="", encoding="utf-8") as fh:
            want = [tuple(r) for r in list(csv.reader(fh))[1:]]
        if rows != want:
            ok = False
            print("seed: expected facts differ")
            for a, b in zip(rows, want):
                if a != b:
                    print("  got ", a)
                    print("  want", b)
            print("  counts", len(rows), len(want))
        else:
            print("seed: %d facts, same rows, values and sources as the seed's expected.csv" % len(rows))
        g1, g2 = grid(path), grid(os.path.join(SHARED, "xiangyin-emergency-2021.xls"))
        if g1 != g2:
            ok = False
            for name in set(g1) | set(g2):
                a, b = g1.get(name, ({}, [])), g2.get(name, ({}, []))
                for k in sorted(set(a[0]) | set(b[0])):
                    if a[0].get(k) != b[0].get(k):
                        print("  %s!%s got %r want %r" % (name, xlrd.cellname(*k), a[0].get(k), b[0].get(k)))
                if a[1] != b[1]:
                    print("  %s merges differ: %s" % (name, sorted(set(a[1]) ^ set(b[1]))))
        else:
            print("seed: the rebuilt workbook has the seed's cells, types and merged ranges")
        errs = find_errors(rows)
        print("seed: errors %s" % (errs or "none"))
        ok = ok and not errs
        probs = verify_form_with(path, rows, errs, tmp)
        for p in probs:
            print("  " + p)
        ok = ok and not probs
        # the rules against every shared example's errors.csv
        n = bad = 0
        for exp in sorted(glob.glob(os.path.join(SHARED, "**", "*.expected.csv"), recursive=True)):
            with open(exp, newline="", encoding="utf-8") as fh:
                rows_ = list(csv.reader(fh))
            if "record" in rows_[0]:
                continue    # a project form: --form project --selftest checks those
            facts_ = [tuple(r) for r in rows_[1:]]
            with open(exp.replace(".expected.csv", ".errors.csv"), newline="", encoding="utf-8") as fh:
                want_e = sorted(tuple(r) for r in list(csv.reader(fh))[1:])
            got_e = sorted(find_errors(facts_))
            n += 1
            if got_e != want_e:
                bad += 1
                print("rules: %s: got %s want %s" % (os.path.relpath(exp, SHARED), got_e, want_e))
            # and the fact checker against the shared examples' own cells (xlrd
            # reads .xls only; the .xlsx and .ods examples get the rules alone)
            xls = exp.replace(".expected.csv", ".xls")
            probs = verify_form(xls) if os.path.exists(xls) else []
            for p in probs:
                print("examples: " + p)
                bad += 1
        print("rules and fact checks on %d shared examples: %d disagreements" % (n, bad))
        ok = ok and bad == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("selftest:", "ok" if ok else "FAILED")
    return ok


def verify_form_with(path, rows, errs, tmp):
    base = path[:-4]
    write_csvs(base, rows, errs)
    return verify_form(path)


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", default="1")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--out")
    ap.add_argument("--formulas", type=float, default=0.0)
    ap.add_argument("--biff5", type=float, default=0.0)
    ap.add_argument("--verify", action="store_true", help="read every form back and check its facts")
    ap.add_argument("--verify-only", metavar="DIR")
    ap.add_argument("--selftest", metavar="FORMS",
                    help="a folder with xiangyin-emergency-2021.xls and the example forms")
    ap.add_argument("--tags", action="store_true", help="print each form's drift tags")
    ap.add_argument("--form", choices=("perf", "project"), default="perf",
                    help="perf: 部门整体支出绩效自评表 (the default); project: 项目支出绩效自评表")
    ap.add_argument("--all-drift", action="store_true",
                    help="project forms: also every drift made only on request")
    ap.add_argument("--open-drift", metavar="TAG,...", default="",
                    help="project forms: also these drifts made only on request")
    a = ap.parse_args()
    if a.form == "project":
        return project_main(a, ap)
    if a.selftest:
        global SHARED
        SHARED = a.selftest
        return 0 if selftest() else 1
    if a.verify_only:
        n, probs = verify_dir(a.verify_only)
        for p in probs:
            print(p)
        print("verified %d forms: %d problems" % (n, len(probs)))
        return 1 if probs else 0
    if not a.out:
        ap.error("--out is required")
    t0 = time.time()
    manifest = generate(a.seed, a.count, a.out, a.formulas, a.biff5)
    print("wrote %d forms to %s in %.1f s" % (a.count, a.out, time.time() - t0), file=sys.stderr)
    if a.tags:
        for i, spec, errors in manifest:
            print("form-%04d\t%s\t%s\t%s" % (i, spec.sheet_name, " ".join(sorted(spec.tags)),
                                            ";".join("%s[%s]" % (e[2], e[3]) for e in errors)))
    if a.verify:
        t1 = time.time()
        n, probs = verify_dir(a.out)
        for p in probs:
            print(p)
        print("verified %d forms in %.1f s: %d problems" % (n, time.time() - t1, len(probs)), file=sys.stderr)
        return 1 if probs else 0
    return 0


def project_main(a, ap):
    """--form project: gen_project.py does the work."""
    import gen_project
    if a.formulas or a.biff5:
        ap.error("--formulas and --biff5 are for the perf form")
    if a.selftest:
        return 0 if gen_project.selftest(a.selftest) else 1
    if a.verify_only:
        n, probs = gen_project.verify_dir(a.verify_only)
        for p in probs:
            print(p)
        print("verified %d workbooks: %d problems" % (n, len(probs)))
        return 1 if probs else 0
    if not a.out:
        ap.error("--out is required")
    t0 = time.time()
    opens = set(gen_project.OPEN_TAGS) if a.all_drift else set(filter(None, a.open_drift.split(",")))
    if opens - gen_project.OPEN_TAGS:
        ap.error("--open-drift: one of %s" % ", ".join(sorted(gen_project.OPEN_TAGS)))
    manifest = gen_project.generate(a.seed, a.count, a.out, opens)
    print("wrote %d workbooks to %s in %.1f s" % (a.count, a.out, time.time() - t0), file=sys.stderr)
    if a.tags:
        for i, wb, errors in manifest:
            print("project-%04d\t%s\t%s" % (i, gen_project.describe(wb),
                                            ";".join("%s:%s[%s]" % (e[2], e[3], e[4]) for e in errors)))
    if a.verify:
        t1 = time.time()
        n, probs = gen_project.verify_dir(a.out)
        for p in probs:
            print(p)
        print("verified %d workbooks in %.1f s: %d problems" % (n, time.time() - t1, len(probs)),
              file=sys.stderr)
        return 1 if probs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
