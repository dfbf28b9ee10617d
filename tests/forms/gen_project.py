"""Drifted 项目支出绩效自评表 forms: gen_forms.py --form project.

The project expenditure performance self-evaluation form is filed once per
project, so a department sends several a year. Each workbook written here
holds one project of a made-up department, or (some of them) two or three
of its projects of one year on sheets of their own, behind a cover sheet or
not; the projects of one department and year are spread over consecutive
workbooks. The layout is that of the forms in the example project forms
(title, （2021年度）, 项目名称, 主管部门 and 实施单位, the 项目资金（万元）
block, 年度总体目标, the 绩效指标 list, the 总分 row), drifted the ways
departments' copies drift: blank rows between the blocks and above the
title, a column added on the left, the year in the title or on a row of
its own, merged cells kept or removed, 一级 and 二级指标 merged down the side
or written once or on every row, labels spaced or with colons (项 目 名 称,
项目名称：), the value after the colon in the label's own cell, amounts as
text (1,207.93, 1207.93万元, full-width digits, 元), typed zeros, scores as
98分 or text, 执行率 as 92.14%, placeholders (—, /, 无) in the cells a row
does not use, the form on a sheet named Sheet1 behind a cover sheet, a
footer with 联 系 人 and a telephone number.

Beside NAME.xls go NAME.expected.csv (dept,year,record,table,row,field,
value,source: the facts `formpipe map -m mappings/project-self-eval.map`
must give, in form order, record being the project's name) and
NAME.errors.csv (dept,year,record,table,row: every row an error rule of
mappings/project-self-eval.map flags), the format of the example project
forms. The facts come from the data the form is made from; --verify
reads each workbook back with xlrd and checks every fact against its cell.

Some drifts are made only with --all-drift, or --open-drift naming them
(OPEN_TAGS), so that samples made before them stay the same (README.md,
"Drift made only on request"): 项目名称 and the name in one cell
(项目名称：XXX), the year after the title in its cell
(项目支出绩效自评表（2021年度）), a funds total row labelled 合计, a blank
row inside the 项目资金 block, a blank column between the 项目资金 label and
the row names, 执行率 as a number cell in a percent format (92.14% typed
into Excel is 0.9214), 分值 typed as 10分, a placeholder in the 偏差原因分析
column, and one project sent twice on two sheets of a workbook.
"""
import csv
import glob
import os
import random
import re
from decimal import Decimal as D, ROUND_HALF_UP

import xlrd

import gen_forms as G

# --------------------------------------------------------------------------
# Vocabulary: made-up counties, generic departments and projects.

COUNTIES = ["示例县", "样例县", "范例县", "演示县", "模拟县", "甲县", "乙县", "丙县", "丁县",
            "戊县", "己县", "庚县"]
PROJECTS = ["农村公路养护工程", "文化惠民演出", "应急物资储备库建设", "城乡环境综合整治",
            "防汛抗旱设施维修", "基层医疗卫生机构能力提升", "森林防火能力建设", "农村饮水安全巩固提升",
            "高素质农民培训", "中小学校舍维修改造", "养老服务体系建设", "公共法律服务体系建设",
            "智慧城管平台运行维护", "耕地地力保护补贴", "退役军人优抚补助", "市场监管执法装备购置",
            "河道清淤疏浚", "全民健身设施维护", "档案数字化加工", "食品安全抽检"]
LEVEL1_LABEL = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标"}
LEVEL2_LABEL = {"quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标",
                "cost": "成本指标", "economic": "经济效益指标", "social": "社会效益指标",
                "ecological": "生态效益指标", "sustainability": "可持续影响指标",
                "satisfaction": "服务对象满意度指标"}
LEVEL2_OF = {"output": ["quantity", "quality", "timeliness", "cost"],
             "benefit": ["economic", "social", "ecological", "sustainability"],
             "satisfaction": ["satisfaction"]}
INDICATORS = {
    "quantity": [("完成工程量", "≥95%", "100%"), ("培训人次", "≥500人次", "523人次"),
                 ("开展活动场次", "≥20场", "22场"), ("购置设备数量", "30台", "30台")],
    "quality": [("验收合格率", "100%", "100%"), ("抽检合格率", "≥95%", "97.5%"),
                ("设施完好率", "≥90%", "93%")],
    "timeliness": [("按期完成率", "100%", "100%"), ("资金拨付及时率", "≥95%", "96%"),
                   ("项目完工时间", "年底前", "按期完成")],
    "cost": [("成本控制", "≤预算", "未超预算"), ("单位成本", "≤3.5万元", "3.2万元")],
    "economic": [("带动群众增收", "明显提升", "有所提升"), ("减少经济损失", "≥100万元", "120万元")],
    "social": [("受益群众人数", "≥1万人", "1.2万人"), ("公共服务水平", "明显提升", "有所提升")],
    "ecological": [("环境质量改善", "明显改善", "有所改善"), ("水土流失治理面积", "≥500亩", "520亩")],
    "sustainability": [("长效管护机制", "建立", "已建立"), ("设施使用年限", "≥10年", "10年")],
    "satisfaction": [("服务对象满意度", "≥90%", "93%"), ("受益群众满意度", "≥85%", "91%")],
}
NOTES = ["资金拨付滞后", "受天气影响", "部分工作未完成", "设计变更增加工期", "下一年度加强项目管理"]
FUND_ROWS = ["total", "fiscal", "carryover", "other"]
FUND_LABELS = {"total": [(85, "年度资金总额"), (15, "资金总额")],
               "fiscal": [(55, "其中：当年财政拨款"), (15, "其中:当年财政拨款"), (20, "当年财政拨款"),
                          (10, "其中： 当年财政拨款")],
               "carryover": [(80, "上年结转资金"), (20, "上年结转")],
               "other": [(85, "其他资金"), (15, "其他")]}
MONEY = ["budget_initial", "budget_full", "executed"]
PLACEHOLDERS = [(40, "—"), (15, "——"), (15, "/"), (15, "-"), (10, "无"), (5, "\\")]
COVER = ["填表说明", "1、每个项目填写一张自评表，多个项目分别填写在不同的工作表中。",
         "2、金额单位为万元；执行率 = 全年执行数 ÷ 全年预算数 × 100%。",
         "3、资金执行率分值10分，绩效指标分值合计90分，总分100分。",
         "4、不适用的单元格填“—”。"]
NCOLS = 9
TOL = D("0.01")

# Drift made only on request (--all-drift, --open-drift TAG).
OPEN_TAGS = {"blank_column_after_label", "name_colon_cell", "funds_total_heji", "rate_percent_cell", "weight_fen", "note_placeholder",
             "title_year_after", "blank_row_in_funds", "error_duplicate_project"}

# The drift a sample must show at least once (tags set by make_project and build).
REQUIRED_TAGS = """
blank_rows blank_row_in_table column_added_left blank_column_inserted title_shifted_down
merges_template merges_removed
year_row year_in_title year_halfwidth year_spaced year_bare
dept_colon_cell label_spaced label_colon_fw label_colon_hw
level_merged level_once level_repeat
money_text money_comma money_wan money_space money_fullwidth money_yuan zero_typed
placeholders_dash placeholders_blank rate_num rate_text_percent rate_text
score_num score_text score_fen score_percent score_fullwidth weight_zero_rows
sheet_Sheet1 cover_sheet two_projects footer
error_funds_units error_exec_rate error_indicator_over error_total_weight error_total_score
""".split()


def q2(d):
    return d.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def amount(rng, lo, hi):
    dp = G.pick(rng, [(70, 4), (20, 2), (10, 1)])
    return D(str(rng.uniform(lo, hi))).quantize(D(1).scaleb(-dp))


class Project:
    """One project's content and drift, decided up front by make_project."""

    def __init__(self):
        self.tags = set()
        self.errors_injected = []


# --------------------------------------------------------------------------
# Content and drift


def make_project(rng, dept, year, name, unit, opens, style):
    """A project of dept for year; style holds the drift its file shares, opens
    the drifts of OPEN_TAGS it may show."""
    p = Project()
    tags = p.tags
    p.dept, p.year, p.title_year, p.name, p.unit = dept, year, year, name, unit
    for k, v in style.items():
        setattr(p, k, v)
    errors = []
    if rng.random() < 0.3:
        kinds = ["funds_units", "exec_rate", "indicator_over", "total_weight", "total_score",
                 "negative", "year_range", "missing_score", "missing_executed"]
        errors = list(dict.fromkeys(rng.sample(kinds, rng.choice([1, 1, 1, 2]))))
    if "year_range" in errors:
        p.title_year = rng.choice([1999, 2101, 2201])

    # The title and the year.
    modes = [(55, "year_row"), (25, "year_in_title"),
             (10 if "title_year_after" in opens else 0, "title_year_after")]
    p.title_mode = G.pick(rng, modes)
    tags.add(p.title_mode)
    if p.title_mode == "year_row":
        how = G.pick(rng, [(60, "fullwidth"), (15, "halfwidth"), (10, "spaced"), (15, "bare")])
        if how != "fullwidth":
            tags.add("year_" + how)
        p.year_text = {"fullwidth": "（%d年度）", "halfwidth": "(%d年度)", "spaced": "（%d 年度）",
                       "bare": "%d年度"}[how] % p.title_year
        p.title = "项目支出绩效自评表"
    elif p.title_mode == "year_in_title":
        p.title = G.pick(rng, [(70, "%d年度项目支出绩效自评表"), (30, "%d年度 项目支出绩效自评表")]) \
            % p.title_year
        p.year_text = None
    else:
        p.title = "项目支出绩效自评表（%d年度）" % p.title_year
        p.year_text = None

    # 项目名称, 主管部门, 实施单位.
    rate = G.pick(rng, [(40, 0.0), (40, 0.3), (20, 0.7)])
    p.name_mode = G.pick(rng, [(80, "next"), (20 if "name_colon_cell" in opens else 0, "colon")])
    p.dept_mode = G.pick(rng, [(80, "next"), (20, "colon")])
    if p.name_mode == "colon":
        tags.add("name_colon_cell")
        p.name_label = G.pick(rng, [(70, "项目名称："), (30, "项目名称:")])
    else:
        p.name_label = G.label_variant(rng, "项目名称", tags, True, rate)
    dept_label = G.pick(rng, [(85, "主管部门"), (15, "主管部门（单位）")])
    if p.dept_mode == "colon":
        tags.add("dept_colon_cell")
        p.dept_label = dept_label + G.pick(rng, [(70, "："), (30, ":")])
        p.unit_label = G.pick(rng, [(85, "实施单位"), (15, "项目实施单位")]) + "："
    else:
        p.dept_label = G.label_variant(rng, dept_label, tags, True, rate)
        p.unit_label = G.label_variant(rng, G.pick(rng, [(85, "实施单位"), (15, "项目实施单位")]),
                                       tags, True, rate)
    p.pad = G.pick(rng, [(85, ""), (15, " ")])
    if p.pad:
        tags.add("text_padded")
    if rng.random() < 0.08:
        p.unit = None
        tags.add("no_unit")

    # 项目资金: parts first, the totals their sums.
    big = rng.random() < 0.3
    full_fiscal = amount(rng, 1000, 4000) if big else amount(rng, 30, 900)
    money = {"fiscal": {}, "carryover": {}, "other": {}}
    money["fiscal"]["budget_full"] = full_fiscal
    if rng.random() < 0.4:
        money["carryover"]["budget_full"] = amount(rng, 1, float(full_fiscal) * 0.3)
    if rng.random() < 0.3:
        money["other"]["budget_full"] = amount(rng, 1, float(full_fiscal) * 0.2)
    for k, row in money.items():
        if "budget_full" not in row:
            if rng.random() < 0.15:          # a 0 typed where there is nothing
                row[G.pick(rng, [(1, "budget_initial"), (1, "budget_full"), (1, "executed")])] = D(0)
                tags.add("zero_typed")
            continue
        full = row["budget_full"]
        if k == "fiscal" or rng.random() < 0.6:
            row["budget_initial"] = min(full, amount(rng, float(full) * 0.75, float(full)))
        if rng.random() < 0.97:
            row["executed"] = min(full, amount(rng, float(full) * 0.7, float(full)))
        else:
            row["executed"] = D(0)
            tags.add("zero_typed")
    if "negative" in errors:
        k = rng.choice(["carryover", "other"])
        f = rng.choice(MONEY)
        money[k][f] = -amount(rng, 0.5, 20)
        p.errors_injected.append("negative")
        tags.add("error_negative")
    total = {}
    for f in MONEY:
        vals = [money[k][f] for k in money if f in money[k]]
        if vals:
            total[f] = sum(vals, D(0))
    money["total"] = total
    if "funds_units" in errors:
        f = rng.choice([f for f in MONEY if f in total])
        total[f] += D(str(round(rng.uniform(0.5, 60), rng.choice([1, 2, 4])))) * rng.choice([1, -1])
        tags.add("error_funds_units")
    p.rate = q2(total["executed"] / total["budget_full"] * 100) if total.get("budget_full") else None
    if "exec_rate" in errors and p.rate is not None:
        p.rate += D(str(round(rng.uniform(0.5, 8), 2))) * rng.choice([1, -1])
        tags.add("error_exec_rate")
    if "missing_executed" in errors:
        del total["executed"]
        tags.add("error_missing_executed")
    p.money = money
    p.funds_weight = G.pick(rng, [(80, 10), (20, 20)])
    p.funds_score = q2(min(p.rate or D(0), D(100)) / 100 * p.funds_weight)

    # How the cells are typed.
    text_rate = G.pick(rng, [(45, 0.0), (30, 0.15), (25, 0.4)])
    p.money_how = {}
    for k in FUND_ROWS:
        for f, v in money[k].items():
            if v < 0 or rng.random() >= text_rate:
                how = "num"
            else:
                how = G.pick(rng, G.MONEY_HOW)
                if how in ("comma", "comma_wan") and abs(v) < 1000:
                    how = "wan"
                if how == "yuan" and v * 10000 != (v * 10000).to_integral():
                    how = "wan"
            if v == 0:
                tags.add("zero_typed")
            if how != "num":
                tags.add("money_" + how)
            p.money_how[(k, f)] = how
    p.empty_money = G.pick(rng, [(70, None), (30, "dash")])    # blank or — where no amount
    rates = [(45, "num"), (35, "text_percent"), (20, "text"),
             (15 if "rate_percent_cell" in opens else 0, "percent_cell")]
    p.rate_how = G.pick(rng, rates)
    tags.add("rate_" + p.rate_how if p.rate_how != "percent_cell" else "rate_percent_cell")
    p.placeholder = G.pick(rng, [(70, "dash"), (30, "blank")])
    tags.add("placeholders_" + p.placeholder)
    p.placeholder_text = [G.pick(rng, PLACEHOLDERS) for _ in range(9)]
    if rng.random() < 0.12 and "funds_total_heji" in opens:
        p.total_label = "合计"
        tags.add("funds_total_heji")
    else:
        p.total_label = G.pick(rng, FUND_LABELS["total"])
    p.row_labels = {k: G.pick(rng, FUND_LABELS[k]) for k in ("fiscal", "carryover", "other")}
    p.funds_label = G.pick(rng, [(65, "项目资金（万元）"), (15, "项目资金\n（万元）"),
                                 (10, "项目资金(万元)"), (10, "项目资金")])
    p.rate_label = G.pick(rng, [(80, "执行率"), (10, "执行率（%）"), (10, "执行率(%)")])
    p.funds_gap = rng.random() < 0.1 and "blank_row_in_funds" in opens
    if p.funds_gap:
        tags.add("blank_row_in_funds")

    # 年度总体目标.
    p.goal = ("完成%s年度建设任务，资金使用规范，项目按期验收。" % name,
              "按期完成%s，资金执行率%s%%。" % (name, G.dec_text(p.rate or D(0))))
    p.achieved_label = G.pick(rng, [(85, "实际完成情况"), (15, "实际完成")])

    # 绩效指标: weights adding up to 100 with the funds', scores up to the weight.
    inds = []
    for l1 in ("output", "benefit", "satisfaction"):
        kinds = LEVEL2_OF[l1]
        if l1 == "output":
            chosen = [k for k in kinds if rng.random() < 0.8] or ["quantity"]
        elif l1 == "benefit":
            chosen = [k for k in kinds if rng.random() < 0.45] or ["social"]
        else:
            chosen = kinds
        for l2 in chosen:
            for nm, target, actual in rng.sample(INDICATORS[l2], G.pick(rng, [(75, 1), (25, 2)])):
                inds.append([l1, l2, nm, target, actual, None, None, None])
    # weights: whole numbers adding to 100 - funds weight; a second indicator of a kind
    # sometimes carries 0 (as the examples' 数量2).
    left = 100 - p.funds_weight
    weighted = [i for i, x in enumerate(inds)
                if not (i and inds[i - 1][1] == x[1] and rng.random() < 0.6)]
    if not weighted:
        weighted = [0]
    if len(weighted) < len(inds):
        tags.add("weight_zero_rows")
    shares = [rng.uniform(0.6, 1.4) for _ in weighted]
    ws = [max(1, int(round(left * s / sum(shares)))) for s in shares]
    ws[-1] += left - sum(ws)
    if ws[-1] < 1:
        ws = [left // len(weighted)] * len(weighted)
        ws[-1] += left - sum(ws)
    for i, x in enumerate(inds):
        x[5] = 0
        x[6] = D(0)
    for i, w in zip(weighted, ws):
        inds[i][5] = w
        s = D(str(round(rng.uniform(0.7, 1.0) * w, 1)))
        inds[i][6] = min(s, D(w))
        if inds[i][6] < w and rng.random() < 0.7:
            inds[i][7] = rng.choice(NOTES)
    if "indicator_over" in errors:
        i = rng.choice(weighted)
        inds[i][6] = D(inds[i][5]) + D(str(round(rng.uniform(0.5, 3), 1)))
        tags.add("error_indicator_over")
    p.note_placeholder = None
    if rng.random() < 0.15 and "note_placeholder" in opens:
        p.note_placeholder = rng.choice(["—", "/", "无"])
        tags.add("note_placeholder")
    p.indicators = [tuple(x) for x in inds]
    p.level_mode = G.pick(rng, [(60, "merged"), (20, "once"), (20, "repeat")])
    if p.level_mode == "merged" and not p.merges:
        p.level_mode = "once"
    tags.add("level_" + p.level_mode)
    tags.add("merges_template" if p.merges else "merges_removed")
    if p.col_off:
        tags.add("column_added_left")
    if p.footer:
        tags.add("footer")
    p.header_labels = {"target": G.pick(rng, [(85, "年度指标值"), (15, "指标值")]),
                       "actual": G.pick(rng, [(85, "实际完成值"), (15, "完成值")]),
                       "note": G.pick(rng, [(80, "偏差原因分析及改进措施"), (20, "偏差原因分析")])}
    p.weight_how = G.pick(rng, [(85, "num"), (15, "text"), (10 if "weight_fen" in opens else 0, "fen")])
    if p.weight_how == "fen":
        tags.add("weight_fen")
    p.score_how = G.pick(rng, [(50, "num"), (25, "text"), (25, "fen")])
    tags.add("score_" + p.score_how)

    # 总分.
    p.total_weight = p.funds_weight + sum(x[5] for x in p.indicators)
    if "total_weight" in errors:
        p.total_weight += rng.choice([-10, -5, 5, 10])
        tags.add("error_total_weight")
    p.total_score = p.funds_score + sum((x[6] for x in p.indicators), D(0))
    if "total_score" in errors:
        p.total_score += D(str(round(rng.uniform(0.5, 5), 1))) * rng.choice([1, -1])
        tags.add("error_total_score")
    if "missing_score" in errors:
        p.total_score = None
        tags.add("error_missing_score")
    p.total_row_label = G.pick(rng, [(75, "总分"), (15, "总 分"), (10, "合计")])
    if p.total_label == "合计":
        p.total_row_label = "总分"
    p.total_score_how = G.pick(rng, [(50, "num"), (15, "fen"), (15, "text"), (10, "percent"),
                                     (10, "fullwidth")])
    tags.add("score_" + p.total_score_how)
    if p.total_row_label != "总分":
        tags.add("total_row_" + {"总 分": "spaced", "合计": "heji"}[p.total_row_label])
    # A blank row inside the indicator list (a merged 一级指标 spans it); a
    # blank column inserted (after the 项目资金 label only with its open tag).
    p.gap_in_table = rng.random() < 0.15
    ins = rng.random() < 0.15
    p.ins_col = rng.randint(1, NCOLS - 1) if ins else None
    if p.ins_col == 1 and "blank_column_after_label" not in opens:
        p.ins_col = 2
    if p.ins_col is not None:
        tags.add("blank_column_after_label" if p.ins_col == 1 else "blank_column_inserted")
    if "year_range" in errors:
        tags.add("error_year_range")
    return p


def file_style(rng):
    """The drift the sheets of one workbook share."""
    st = {}
    st["col_off"] = 1 if rng.random() < 0.3 else 0
    st["merges"] = rng.random() < 0.7
    st["gaps"] = G.pick(rng, [(40, 0), (30, 1), (20, 2), (10, 4)])
    st["top_shift"] = G.pick(rng, [(80, 0), (12, 1), (8, 2)])
    st["footer"] = rng.random() < 0.3
    st["footer_label"] = G.pick(rng, [(40, "联 系 人"), (30, "填报人："), (30, "联系人：")])
    return st


# --------------------------------------------------------------------------
# A corpus: departments with several projects a year, spread over workbooks


class Workbook:
    def __init__(self):
        self.projects = []      # [(sheet name, Project)]
        self.cover = 0
        self.tags = set()


def make_corpus(seed, count, opens):
    """count workbooks, one department and year after another."""
    books = []
    g = 0
    while len(books) < count:
        g += 1
        rng = random.Random("formpipe-projects:%s:%d" % (seed, g))
        county = rng.choice(COUNTIES)
        bureau, _ = rng.choice(G.BUREAUS)
        dept = county + bureau
        year = rng.randint(2019, 2024)
        names = rng.sample(PROJECTS, G.pick(rng, [(30, 1), (30, 2), (25, 3), (15, 4)]))
        names = [n + ("（%d年）" % year if rng.random() < 0.15 else "") for n in names]
        units = [G.pick(rng, [(40, dept), (60, county + rng.choice(G.UNIT_NAMES))]) for _ in names]
        i = 0
        while i < len(names) and len(books) < count:
            k = 1
            if len(names) - i >= 2 and rng.random() < 0.45:
                k = 3 if len(names) - i >= 3 and rng.random() < 0.3 else 2
            wb = Workbook()
            style = file_style(rng)
            wb.cover = rng.randint(3, len(COVER)) if rng.random() < 0.2 else 0
            if wb.cover:
                wb.tags.add("cover_sheet")
            if k > 1:
                wb.tags.add("two_projects" if k == 2 else "three_projects")
                sheet_names = G.pick(rng, [(30, ["项目%d" % (j + 1) for j in range(k)]),
                                           (25, ["Sheet%d" % (j + 1) for j in range(k)]),
                                           (25, [names[i + j][:4] for j in range(k)]),
                                           (20, ["自评表"] + ["自评表(%d)" % (j + 2) for j in range(k - 1)])])
                if len(set(sheet_names)) < k:
                    sheet_names = ["项目%d" % (j + 1) for j in range(k)]
            else:
                sheet_names = [G.pick(rng, [(35, "自评表"), (25, "Sheet1"), (20, "项目支出绩效自评表"),
                                            (20, names[i][:4])])]
            for j in range(k):
                prng = random.Random("formpipe-project:%s:%d:%d" % (seed, g, i + j))
                p = make_project(prng, dept, year, names[i + j], units[i + j], opens, style)
                wb.projects.append((sheet_names[j], p))
            if k >= 2 and rng.random() < 0.25 and "error_duplicate_project" in opens:
                # the department sent the first project again in place of the second
                prng = random.Random("formpipe-project:%s:%d:%d" % (seed, g, i))
                again = make_project(prng, dept, year, names[i], units[i], opens, style)
                wb.projects[1] = (wb.projects[1][0], again)
                again.tags.add("error_duplicate_project")
            books.append(wb)
            i += k
    return books


# --------------------------------------------------------------------------
# Building a workbook and its facts


class Facts:
    """The facts of one project, in the order formpipe map gives them."""

    def __init__(self, p):
        self.p = p
        self.items = []     # (table, row, field, value, sheet, src Row, src col, pos Row)

    def add(self, table, row, field, value, sh, r, c, pos=None):
        self.items.append((table, row, field, value, sh, r, c, pos or r))

    def rows(self):
        """(dept, year, record, table, row, field, value, source): dept and year first,
        then by row, in the mapping's order within a row."""
        first = [x for x in self.items if x[0] == "project" and x[2] in ("dept", "year")]
        first.sort(key=lambda x: x[2] != "dept")
        rest = [x for x in self.items if x not in first]
        rest = sorted(enumerate(rest), key=lambda ix: (ix[1][7].idx, ix[0]))
        out = []
        for t, row, f, v, sh, r, c, _ in first + [x for _, x in rest]:
            out.append((self.p.dept, str(self.p.title_year), self.p.name, t, row, f, v, sh.ref(r, c)))
        return out


class Cols:
    """A sheet seen through its columns: a blank column inserted at ins moves
    the cells from there one to the right, and widens a merge across it."""

    def __init__(self, sh, ins):
        self.sh, self.ins = sh, ins

    def x(self, c):
        return c + (1 if self.ins is not None and c >= self.ins else 0)

    def put(self, r, c, *a, **k):
        self.sh.put(r, self.x(c), *a, **k)

    def merge(self, r1, r2, c1, c2):
        self.sh.merge(r1, r2, self.x(c1), self.x(c2))

    def ref(self, r, c):
        return self.sh.ref(r, self.x(c))

    def row(self, gap=None):
        return self.sh.row(gap)


def put_money(sh, r, c, value, how):
    v, kind = G.render_money(value, how)
    sh.put(r, c, v, "money" if kind == "num" else "plain", kind)


def put_number(sh, r, c, value, how):
    """A weight or score: a number cell, its text, or with 分."""
    if how == "num":
        sh.put(r, c, float(value), "plain", "num")
    elif how == "text":
        sh.put(r, c, G.dec_text(D(value)), "plain", "text")
    elif how == "fen":
        sh.put(r, c, G.dec_text(D(value)) + "分", "plain", "text")
    elif how == "percent":
        sh.put(r, c, G.dec_text(D(value)) + "%", "plain", "text")
    elif how == "fullwidth":
        sh.put(r, c, G.dec_text(D(value)).translate(G.FW), "plain", "text")
    else:
        raise ValueError(how)


def build_project(book, sheet_name, p):
    """Lays one project out on a sheet of its own; returns its Facts."""
    sheet = book.sheet(sheet_name, p.col_off)
    sh = Cols(sheet, p.ins_col)
    for c, w in enumerate([16, 20, 14, 22, 14, 14, 12, 12, 24]):
        sheet.widths[sh.x(c)] = 256 * w
    facts = Facts(p)
    put, merge = sh.put, sh.merge
    last = NCOLS - 1

    # Title and year.
    r = sh.row("block")
    put(r, 0, p.title, "title"), merge(r, r, 0, last)
    if p.year_text:
        y = sh.row("block")
        put(y, 0, p.year_text, "text"), merge(y, y, 0, last)
        facts.add("project", "", "year", str(p.title_year), sh, y, 0)
    else:
        facts.add("project", "", "year", str(p.title_year), sh, r, 0)

    # 项目名称.
    r = sh.row("block")
    if p.name_mode == "colon":
        put(r, 0, p.name_label + p.pad + p.name + p.pad, "label"), merge(r, r, 0, last)
        facts.add("project", "", "name", p.name, sh, r, 0)
    else:
        put(r, 0, p.name_label, "label")
        put(r, 1, p.pad + p.name + p.pad), merge(r, r, 1, last)
        facts.add("project", "", "name", p.name, sh, r, 1)
    # 主管部门 and 实施单位.
    r = sh.row("block")
    if p.dept_mode == "colon":
        put(r, 0, p.dept_label + p.dept, "label"), merge(r, r, 0, 3)
        facts.add("project", "", "dept", p.dept, sh, r, 0)
        put(r, 4, p.unit_label + (p.unit or ""), "label"), merge(r, r, 4, last)
        if p.unit:
            facts.add("project", "", "unit", p.unit, sh, r, 4)
    else:
        put(r, 0, p.dept_label, "label")
        put(r, 1, p.pad + p.dept + p.pad), merge(r, r, 1, 3)
        facts.add("project", "", "dept", p.dept, sh, r, 1)
        put(r, 4, p.unit_label, "label")
        put(r, 5, p.unit), merge(r, r, 5, last)
        if p.unit:
            facts.add("project", "", "unit", p.unit, sh, r, 5)

    # 项目资金（万元）: the row names right of the label, under an empty header cell.
    h = sh.row("block")
    put(h, 0, p.funds_label, "label")
    put(h, 1, None, "label")
    for c, text in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", p.rate_label, "得分"],
                             start=2):
        put(h, c, text, "label")
    put(h, last, None, "plain")
    rows = []
    k_ph = 0
    for k in FUND_ROWS:
        if p.funds_gap and k == "carryover":
            sh.row()        # a blank row inside the block
        r = sh.row()
        rows.append(r)
        put(r, 1, p.total_label if k == "total" else p.row_labels[k], "label")
        for c, f in enumerate(MONEY, start=2):
            if f in p.money[k]:
                put_money(sh, r, c, p.money[k][f], p.money_how[(k, f)])
                facts.add("funds", k, f, G.money_text(p.money[k][f]), sh, r, c)
            elif p.empty_money == "dash" and k != "total":
                put(r, c, "—", "plain")
            else:
                put(r, c, None, "plain")
        if k == "total":
            put_number(sh, r, 5, p.funds_weight, p.weight_how)
            facts.add("funds", k, "weight", str(p.funds_weight), sh, r, 5)
            if p.rate is not None:
                if p.rate_how == "num":
                    put(r, 6, float(p.rate), "plain", "num")
                elif p.rate_how == "text_percent":
                    put(r, 6, G.dec_text(p.rate) + "%", "plain", "text")
                elif p.rate_how == "text":
                    put(r, 6, G.dec_text(p.rate), "plain", "text")
                else:
                    put(r, 6, float(p.rate / 100), "num:0.00%", "num")
                facts.add("funds", k, "exec_rate", G.money_text(p.rate), sh, r, 6)
            put_number(sh, r, 7, p.funds_score, p.score_how)
            facts.add("funds", k, "score", G.money_text(p.funds_score), sh, r, 7)
        else:
            for c in (5, 6, 7):
                if p.placeholder == "dash":
                    put(r, c, p.placeholder_text[k_ph], "plain")
                    k_ph += 1
                else:
                    put(r, c, None, "plain")
        put(r, last, None, "plain")
    merge(h, rows[-1], 0, 0)

    # 年度总体目标.
    g1, g2 = sh.row("block"), sh.row()
    put(g1, 0, "年度总体目标", "label"), merge(g1, g2, 0, 0)
    put(g1, 1, "预期目标", "label"), merge(g1, g1, 1, 4)
    put(g1, 5, p.achieved_label, "label"), merge(g1, g1, 5, last)
    put(g2, 1, p.goal[0]), merge(g2, g2, 1, 4)
    put(g2, 5, p.goal[1]), merge(g2, g2, 5, last)
    facts.add("goal", "", "expected", p.goal[0], sh, g2, 1)
    facts.add("goal", "", "achieved", p.goal[1], sh, g2, 5)

    # 绩效指标.
    hdr = sh.row("block")
    put(hdr, 0, "绩效指标", "label")
    for c, text in enumerate(["一级指标", "二级指标", "三级指标", p.header_labels["target"],
                              p.header_labels["actual"], "分值", "得分", p.header_labels["note"]],
                             start=1):
        put(hdr, c, text, "label")
    irows = [sh.row("table" if k else None) for k in range(len(p.indicators))]
    for col, key in ((1, lambda x: x[0]), (2, lambda x: (x[0], x[1]))):
        i = 0
        while i < len(p.indicators):
            j = i
            while j + 1 < len(p.indicators) and key(p.indicators[j + 1]) == key(p.indicators[i]):
                j += 1
            x = p.indicators[i]
            text = LEVEL1_LABEL[x[0]] if col == 1 else LEVEL2_LABEL[x[1]]
            field = "level1" if col == 1 else "level2"
            code = x[0] if col == 1 else x[1]
            for k in range(i, j + 1):
                r = irows[k]
                if p.level_mode == "repeat" or k == i:
                    put(r, col, text, "label")
                    facts.add("indicator", str(k + 1), field, code, sh, r, col)
                else:
                    if p.level_mode == "merged" and p.merges:
                        put(r, col, None, "label")
                    facts.add("indicator", str(k + 1), field, code, sh, irows[i], col, r)
            if p.level_mode == "merged" and j > i:
                merge(irows[i], irows[j], col, col)
            i = j + 1
    for k, (l1, l2, name, target, actual, weight, score, note) in enumerate(p.indicators):
        r, n = irows[k], str(k + 1)
        put(r, 3, name)
        facts.add("indicator", n, "name", name, sh, r, 3)
        put(r, 4, target)
        facts.add("indicator", n, "target", target, sh, r, 4)
        put(r, 5, actual)
        facts.add("indicator", n, "actual", actual, sh, r, 5)
        put_number(sh, r, 6, weight, p.weight_how)
        facts.add("indicator", n, "weight", str(weight), sh, r, 6)
        put_number(sh, r, 7, score, p.score_how)
        facts.add("indicator", n, "score", G.money_text(score), sh, r, 7)
        if note:
            put(r, 8, note)
            facts.add("indicator", n, "note", note, sh, r, 8)
        elif p.note_placeholder:
            put(r, 8, p.note_placeholder)
            # a placeholder says there is no note: no fact
        else:
            put(r, 8, None)
    merge(hdr, irows[-1], 0, 0)

    # 总分.
    t = sh.row("block")
    put(t, 0, p.total_row_label, "label"), merge(t, t, 0, 5)
    put_number(sh, t, 6, p.total_weight, p.weight_how)
    facts.add("total", "", "weight", str(p.total_weight), sh, t, 6)
    if p.total_score is not None:
        put_number(sh, t, 7, p.total_score, p.total_score_how)
        facts.add("total", "", "score", G.money_text(p.total_score), sh, t, 7)
    else:
        put(t, 7, None)
    put(t, last, None)

    # A footer no fact comes from.
    if p.footer:
        f = sh.row("block")
        put(f, 0, p.footer_label, "text")
        put(f, 1, G.rand_name(random.Random(p.name + p.dept)), "text")
        put(f, 3, "联系电话：", "text")
        put(f, 4, "0731-8%06d" % (hash_text(p.name + p.dept) % 1000000), "text")
        put(f, 6, "填报日期：", "text")
        put(f, 7, "%d年3月%d日" % (p.year + 1, 1 + hash_text(p.name) % 28), "text")

    p.key = "%s:%s" % (p.dept, p.name)
    G.insert_gaps(p, sheet)     # tags blank_rows, blank_row_in_table
    if p.top_shift:
        p.tags.add("title_shifted_down")
    sheet.number()
    return facts


def hash_text(s):
    """A stable small number from a text (Python's hash() is salted)."""
    h = 0
    for ch in s.encode("utf-8"):
        h = (h * 131 + ch) % 1000000007
    return h


def build(wb):
    """The workbook's Book and, per project, its facts rows."""
    book = G.Book(merges=all(p.merges for _, p in wb.projects))
    if wb.cover:
        cov = book.sheet("填表说明")
        cov.widths[0] = 256 * 70
        for line in COVER[:wb.cover]:
            cov.put(cov.row(), 0, line, "text")
        cov.number()
    recs = []
    for sheet_name, p in wb.projects:
        recs.append((p, build_project(book, sheet_name, p).rows()))
        wb.tags |= p.tags
        wb.tags.add("sheet_" + sheet_name if sheet_name in ("Sheet1", "自评表") else "sheet_other")
    return book, recs


# --------------------------------------------------------------------------
# The error rules of mappings/project-self-eval.map, over the facts


def find_errors(facts):
    """(dept, year, record, table, row) of every row an error rule flags, in form order.

    facts: rows (dept, year, record, table, row, field, value, source) of one
    workbook, its records one after another. Blank counts 0 in sums; a rule
    whose right side is blank says nothing.
    """
    recs = []
    for f in facts:
        key = (f[0], f[1], f[2])
        if not recs or recs[-1][0] != key or any(
                (g[3], g[4], g[5]) == (f[3], f[4], f[5]) and g[7] != f[7] for g in recs[-1][1]):
            recs.append((key, []))
        recs[-1][1].append(f)
    out = []
    seen = set()
    for key, rf in recs:
        vals, order = {}, []
        for _, _, _, t, row, fld, v, _ in rf:
            if (t, row) not in order:
                order.append((t, row))
            vals.setdefault((t, row), {})[fld] = D(v) if re.fullmatch(r"-?[0-9.]+", v) else v
        flagged = set()

        def get(t, row, f):
            return vals.get((t, row), {}).get(f)

        for t, row, f in (("project", "", "name"), ("project", "", "dept"), ("project", "", "year"),
                          ("funds", "total", "budget_full"), ("funds", "total", "executed"),
                          ("total", "", "score")):
            if get(t, row, f) in (None, ""):
                flagged.add((t, row))
        y = get("project", "", "year")
        if y is not None and not (2000 <= y <= 2100):
            flagged.add(("project", ""))
        funds_rows = [row for t, row in order if t == "funds"]
        if "total" in funds_rows and len(funds_rows) >= 2:
            for f in ("budget_initial", "budget_full", "executed"):
                parts = [get("funds", row, f) for row in funds_rows if row != "total"]
                parts = [x for x in parts if x is not None]
                tot = get("funds", "total", f)
                if (tot is not None or parts) and abs((tot or 0) - sum(parts, D(0))) > TOL:
                    flagged.add(("funds", "total"))
        for row in funds_rows:
            if any(get("funds", row, f) is not None and get("funds", row, f) < 0
                   for f in ("budget_initial", "budget_full", "executed")):
                flagged.add(("funds", row))
            rate, ex, full = (get("funds", row, f) for f in ("exec_rate", "executed", "budget_full"))
            if None not in (rate, ex, full) and full != 0 and abs(rate - ex / full * 100) > TOL:
                flagged.add(("funds", row))
        for t, row in order:
            if t == "indicator":
                s, w = get(t, row, "score"), get(t, row, "weight")
                if s is not None and w is not None and s > w + TOL:
                    flagged.add((t, row))
        w = get("total", "", "weight")
        if w is not None and abs(w - 100) > TOL:
            flagged.add(("total", ""))
        s = get("total", "", "score")
        parts = [get("funds", "total", "score")] + [get(t, row, "score") for t, row in order
                                                    if t == "indicator"]
        parts = [x for x in parts if x is not None]
        if s is not None and parts and abs(s - sum(parts, D(0))) > TOL:
            flagged.add(("total", ""))
        if s is not None and not (0 <= s <= 100):
            flagged.add(("total", ""))
        who = ("project-self-eval",) + key
        if who in seen:
            flagged.add(("project", ""))
        seen.add(who)
        rows = [x for x in order if x in flagged] + sorted(x for x in flagged if x not in order)
        out += [key + x for x in rows if key + x not in out]
    return out


# --------------------------------------------------------------------------
# Writing a corpus

EXPECTED_HEADER = ["dept", "year", "record", "table", "row", "field", "value", "source"]
ERRORS_HEADER = ["dept", "year", "record", "table", "row"]


def write_csvs(base, facts, errors):
    with open(base + ".expected.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(EXPECTED_HEADER)
        w.writerows(facts)
    with open(base + ".errors.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(ERRORS_HEADER)
        w.writerows(errors)


def generate(seed, count, out, opens=()):
    os.makedirs(out, exist_ok=True)
    manifest = []
    for i, wb in enumerate(make_corpus(seed, count, set(opens)), start=1):
        book, recs = build(wb)
        facts = [f for _, rows in recs for f in rows]
        errors = find_errors(facts)
        base = os.path.join(out, "project-%04d" % i)
        G.write_xls(book, base + ".xls")
        write_csvs(base, facts, errors)
        manifest.append((i, wb, errors))
    return manifest


def describe(wb):
    """A line about a workbook's drift, for --tags."""
    sheets = ",".join(n for n, _ in wb.projects)
    return "%s\t%s" % (sheets, " ".join(sorted(wb.tags)))


# --------------------------------------------------------------------------
# Verification: every fact against its cell, read back with xlrd, with
# normalisation written apart from the generator's.

LEVEL_CODES = [("满意度", "satisfaction"), ("数量", "quantity"), ("质量", "quality"), ("时效", "timeliness"),
               ("成本", "cost"), ("经济效益", "economic"), ("社会效益", "social"),
               ("生态效益", "ecological"), ("可持续", "sustainability")]


def _cell(bk, source):
    m = re.fullmatch(r"(.+)!([A-Z]+)(\d+)", source)
    sh = bk.sheet_by_name(m.group(1))
    c = 0
    for ch in m.group(2):
        c = c * 26 + ord(ch) - 64
    r, c = int(m.group(3)) - 1, c - 1
    if r >= sh.nrows or c >= sh.ncols:
        return sh, None, r, c
    return sh, sh.cell(r, c), r, c


def _percent_format(bk, cell):
    fmt = bk.format_map.get(bk.xf_list[cell.xf_index].format_key)
    return fmt is not None and "%" in fmt.format_str


def _number(cell, suffixes=("%", "分")):
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return float(cell.value)
    s = str(cell.value).translate(G.FW_IN).strip(" \u3000")
    for suf in suffixes:
        if s.endswith(suf):
            s = s[:-len(suf)]
    return float(s)


def check_fact(bk, fact):
    """None if the fact's value is what its source cell holds, else a message."""
    dept, year, record, table, row, field, value, source = fact
    try:
        sh, cell, r, c = _cell(bk, source)
    except xlrd.XLRDError:
        return "no sheet for %s" % source
    if cell is None or cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return "source cell is empty"
    try:
        if table == "funds" and field in MONEY:
            got = G.v_money(cell)
        elif table == "funds" and field == "exec_rate":
            got = _number(cell, ("%",))
            if cell.ctype == xlrd.XL_CELL_NUMBER and _percent_format(bk, cell):
                got *= 100
        elif field in ("weight", "score"):
            got = _number(cell)
        elif field == "year":
            got = float(re.search(r"(\d{4})\s*年\s*度", cell.value).group(1))
        elif field in ("level1", "level2"):
            t = G.squash(cell.value)
            if field == "level1":
                got = "satisfaction" if "满意度" in t else "benefit" if "效益" in t else \
                    "output" if "产出" in t else None
            else:
                got = next((code for word, code in LEVEL_CODES if word in t), None)
            return None if got == value else "value %r, cell %r gives %r" % (value, cell.value, got)
        else:
            text = G.v_text(cell)
            if table == "project":
                text = re.sub(r"^(项目名称|主管部门|主管部门（单位）|实施单位|项目实施单位)[:：]\s*", "",
                              text).strip()
            return None if text == G.norm_expected_text(value) else \
                "value %r, cell %r gives %r" % (value, cell.value, text)
    except Exception as e:  # noqa
        return "cannot read %r: %s" % (cell.value, e)
    if abs(got - float(value)) > 1e-9 * max(1.0, abs(got)):
        return "value %r, cell %r gives %r" % (value, cell.value, got)
    return None


def verify_form(path, rules=True):
    base = path[:-4]
    name = os.path.basename(base)
    problems = []
    try:
        bk = xlrd.open_workbook(path, formatting_info=True)
    except Exception as e:  # noqa
        return ["%s: xlrd cannot open it: %s" % (path, e)]
    with open(base + ".expected.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows[0] != EXPECTED_HEADER:
        problems.append("%s: bad expected header" % name)
    facts = [tuple(r) for r in rows[1:]]
    keys, sources = set(), set()
    by_sheet = {}
    for f in facts:
        k = (f[7].split("!")[0],) + f[3:6]
        if k in keys:
            problems.append("%s: fact %s twice" % (name, k))
        keys.add(k)
        sources.add(f[7])
        by_sheet.setdefault(f[7].split("!")[0], set()).add((f[0], f[1], f[2]))
        msg = check_fact(bk, f)
        if msg:
            problems.append("%s: %s.%s[%s] from %s: %s" % (name, f[3], f[5], f[4], f[7], msg))
    for sheet, who in by_sheet.items():
        if len(who) != 1:
            problems.append("%s: sheet %s holds facts of %s" % (name, sheet, sorted(who)))
        names = [f[6] for f in facts if f[7].startswith(sheet + "!") and f[3:6] == ("project", "", "name")]
        if names and names[0] != next(iter(who))[2]:
            problems.append("%s: sheet %s: record is not the project's name" % (name, sheet))
    # every number on a form sheet, down to its 总分 row, is some fact's source
    for sheet in by_sheet:
        sh = bk.sheet_by_name(sheet)
        last = max(int(re.search(r"(\d+)$", f[7]).group(1)) for f in facts
                   if f[7].startswith(sheet + "!"))
        for r in range(min(sh.nrows, last)):
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                ref = "%s!%s" % (sheet, xlrd.cellname(r, c))
                looks = cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE) or (
                    cell.ctype == xlrd.XL_CELL_TEXT and re.fullmatch(
                        r"[\s\u3000]*[-0-9０-９.,．，]+(万元|元|%|分)?[\s\u3000]*", cell.value)
                    and cell.value.strip() not in ("-", "--"))
                if looks and ref not in sources:
                    problems.append("%s: %s holds %r but no fact comes from it" % (name, ref, cell.value))
    if rules:
        with open(base + ".errors.csv", newline="", encoding="utf-8") as fh:
            erows = list(csv.reader(fh))
        if erows[0] != ERRORS_HEADER:
            problems.append("%s: bad errors header" % name)
        if sorted(tuple(r) for r in erows[1:]) != sorted(find_errors(facts)):
            problems.append("%s: errors.csv differs from the rules: %s, rules give %s"
                            % (name, erows[1:], find_errors(facts)))
    return problems


def verify_dir(d):
    forms = sorted(glob.glob(os.path.join(d, "*.xls")))
    problems = []
    for f in forms:
        problems += verify_form(f)
    return len(forms), problems


def selftest(folder):
    """The rules and the fact checker on the example project forms."""
    n = bad = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.xls"))):
        n += 1
        for p in verify_form(path):
            print("examples: " + p)
            bad += 1
    print("rules and fact checks on %d project examples: %d disagreements" % (n, bad))
    return bad == 0
