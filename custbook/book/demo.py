"""A demo book: a year in the life of a small Chinese sales business, made by the services.

`fill_demo_book` adds customers (people and companies with their contact people), a year
of interactions, orders, opportunities and reminders, every date relative to `today`, so
the agenda always has work to show: reminders overdue, due today and in the coming week,
A customers gone quiet for over a month, orders whose payment is overdue, refunds and
cancellations, birthdays (one on Feb 29). The same (customers, seed, today) and clock give
the same book, row for row.

Every write goes through the services with source "demo", so the history and the kept
figures are exactly what typing it all in would give. The whole fill is one transaction
(the services' change sets join it): all or nothing, and fast. Each customer costs a
bounded number of writes, each an indexed one, so the time grows linearly with the count.

The text is data, not interface: Chinese and English as a salesperson would type it, with
no `_()`. Emails use the reserved example.com/.net/.org domains; phone numbers are valid
Chinese numbers in form only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from custbook.book.db import transaction

if TYPE_CHECKING:
    from custbook.book.book import Book

SOURCE = "demo"
T = TypeVar("T")


@dataclass(frozen=True)
class DemoSummary:
    """How many records the fill added."""

    customers: int
    contacts: int
    interactions: int
    orders: int
    opportunities: int
    reminders: int


def fill_demo_book(book: Book, *, customers: int = 300, seed: int = 1, today: date) -> DemoSummary:
    """Add `customers` demo customers with their year of activity, dated relative to
    `today`; deterministic for a given (customers, seed, today) and clock.

    From about 25 customers up the book is sure to hold: A customers silent for over 30
    days, open orders past their payment due, a refund and a cancellation, reminders
    overdue, due today, snoozed and repeating monthly, a Feb 29 birthday and one in the
    coming days, and customers with English names.
    """
    if customers < 0:
        raise ValueError("customers must not be negative")
    filler = _Filler(book, random.Random(seed), today)
    with transaction(book.db):
        filler.fill(customers)
    return DemoSummary(**filler.counts)


# -- the material ----------------------------------------------------------------------

# Surname, its pinyin.
SURNAMES = (
    ("张", "Zhang"), ("王", "Wang"), ("李", "Li"), ("刘", "Liu"), ("陈", "Chen"),
    ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
    ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
    ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("高", "Gao"), ("罗", "Luo"),
    ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"),
    ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"),
    ("曾", "Zeng"), ("田", "Tian"), ("董", "Dong"), ("潘", "Pan"), ("袁", "Yuan"),
    ("蔡", "Cai"), ("蒋", "Jiang"), ("余", "Yu"), ("杜", "Du"), ("叶", "Ye"),
    ("程", "Cheng"), ("魏", "Wei"), ("苏", "Su"), ("吕", "Lyu"), ("丁", "Ding"),
    ("沈", "Shen"), ("任", "Ren"), ("姚", "Yao"), ("卢", "Lu"), ("钟", "Zhong"),
    ("崔", "Cui"), ("谭", "Tan"), ("范", "Fan"), ("汪", "Wang"), ("欧阳", "Ouyang"),
)  # fmt: skip
GIVEN_NAMES = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("洋", "yang"), ("静", "jing"),
    ("帆", "fan"), ("敏", "min"), ("磊", "lei"), ("军", "jun"), ("丽", "li"),
    ("强", "qiang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("秀英", "xiuying"), ("晓明", "xiaoming"), ("建华", "jianhua"), ("志强", "zhiqiang"),
    ("海燕", "haiyan"), ("丹丹", "dandan"), ("子涵", "zihan"), ("雨桐", "yutong"),
    ("浩然", "haoran"), ("思远", "siyuan"), ("佳怡", "jiayi"), ("俊杰", "junjie"),
    ("欣怡", "xinyi"), ("文博", "wenbo"), ("晨", "chen"), ("婷", "ting"), ("鹏", "peng"),
    ("慧", "hui"), ("宇航", "yuhang"), ("梓萱", "zixuan"), ("国庆", "guoqing"),
    ("建国", "jianguo"), ("玉兰", "yulan"), ("春梅", "chunmei"), ("立新", "lixin"),
    ("晓燕", "xiaoyan"), ("凯", "kai"), ("琳", "lin"), ("斌", "bin"), ("倩", "qian"),
)  # fmt: skip
ENGLISH_GIVEN = (
    "Emily", "David", "Michael", "Sophie", "Kevin", "Grace", "Jason", "Linda", "Tony",
    "Vivian", "Eric", "Cathy", "Frank", "Helen", "Peter", "Amy", "Jack", "Cindy",
)  # fmt: skip
WESTERN_SURNAMES = ("Miller", "Johnson", "Schmidt", "Brown", "Walker", "Dubois", "Rossi")


class Place(NamedTuple):
    province: str
    city: str
    prefix: str  # how a company name starts: 上海华峰…, 深圳市鹏达…
    city_en: str
    area_code: str
    landline_first: str  # first digit of local landline numbers that are valid
    districts: tuple[str, ...]
    weight: int  # a small business near Shanghai: most customers are in the east


def _place(text: str, weight: int) -> Place:
    province, city, prefix, city_en, area, first, *districts = text.split()
    return Place(province, city, prefix, city_en, area, first, tuple(districts), weight)


PLACES = (
    _place("上海 上海 上海 Shanghai 021 6 浦东新区 徐汇区 静安区 闵行区 长宁区", 22),
    _place("北京 北京 北京 Beijing 010 6 朝阳区 海淀区 东城区 丰台区", 8),
    _place("广东 深圳 深圳市 Shenzhen 0755 2 南山区 福田区 宝安区 龙岗区", 8),
    _place("广东 广州 广州 Guangzhou 020 8 天河区 越秀区 番禺区 白云区", 6),
    _place("浙江 杭州 杭州 Hangzhou 0571 8 西湖区 滨江区 余杭区 拱墅区", 12),
    _place("浙江 宁波 宁波 Ningbo 0574 8 鄞州区 海曙区 江北区", 5),
    _place("江苏 苏州 苏州 Suzhou 0512 6 工业园区 姑苏区 吴中区 相城区", 10),
    _place("江苏 南京 南京 Nanjing 025 8 鼓楼区 玄武区 江宁区 建邺区", 6),
    _place("四川 成都 成都 Chengdu 028 8 高新区 锦江区 武侯区 青羊区", 5),
    _place("重庆 重庆 重庆 Chongqing 023 6 渝中区 江北区 渝北区 南岸区", 4),
    _place("湖北 武汉 武汉 Wuhan 027 8 江汉区 洪山区 武昌区", 3),
    _place("陕西 西安 西安 Xi'an 029 8 雁塔区 碑林区 未央区", 2),
    _place("山东 青岛 青岛 Qingdao 0532 8 市南区 崂山区 黄岛区", 3),
    _place("福建 福州 福州 Fuzhou 0591 8 鼓楼区 仓山区 晋安区", 2),
    _place("天津 天津 天津 Tianjin 022 2 和平区 南开区 滨海新区", 2),
    _place("湖南 长沙 长沙 Changsha 0731 8 岳麓区 芙蓉区 天心区", 2),
)
EAST_CHINA = ("上海", "浙江", "江苏", "山东", "福建")
ROADS = (
    "人民路", "中山路", "建设路", "解放路", "长江路", "科技园路", "创业大道", "新华路",
    "滨江大道", "文化路", "和平路", "星湖街", "金桥路", "东方路",
)  # fmt: skip
MOBILE_PREFIXES = ("138", "139", "135", "137", "150", "151", "158", "186", "187", "189", "177")

# Industry: weight, words for a company name (word, slug), English word.
INDUSTRIES: dict[str, tuple[int, tuple[tuple[str, str], ...], str]] = {
    "制造业": (20, (("机械", "machinery"), ("电子", "electronics"), ("精密制造", "precision"),
                    ("新材料", "materials")), "Manufacturing"),
    "贸易": (15, (("贸易", "trading"), ("进出口", "impex"), ("国际贸易", "intl")), "Trading"),
    "零售": (14, (("商贸", "shangmao"), ("百货", "store"), ("超市", "mart")), "Retail"),
    "餐饮": (10, (("餐饮管理", "catering"), ("食品", "foods")), "Foods"),
    "教育": (8, (("教育科技", "edu"), ("文化传播", "culture")), "Education"),
    "医疗": (8, (("医疗器械", "medical"), ("健康科技", "health"), ("医药", "pharma")),
             "Medical Supplies"),
    "物流": (10, (("物流", "logistics"), ("供应链管理", "supplychain"), ("货运代理", "freight")),
             "Logistics"),
    "软件": (15, (("科技", "tech"), ("软件", "soft"), ("信息技术", "it"), ("网络科技", "net")),
             "Software"),
}  # fmt: skip
TRADE_NAMES = (
    ("华峰", "huafeng"), ("云启", "yunqi"), ("鹏达", "pengda"), ("恒泰", "hengtai"),
    ("金桥", "jinqiao"), ("宏远", "hongyuan"), ("博瑞", "borui"), ("锦程", "jincheng"),
    ("新禾", "xinhe"), ("天润", "tianrun"), ("安捷", "anjie"), ("立信", "lixin"),
    ("中科", "zhongke"), ("盛世", "shengshi"), ("嘉禾", "jiahe"), ("万邦", "wanbang"),
    ("鼎新", "dingxin"), ("瑞丰", "ruifeng"), ("祥和", "xianghe"), ("汇通", "huitong"),
    ("东润", "dongrun"), ("卓越", "zhuoyue"), ("远航", "yuanhang"), ("星辰", "xingchen"),
    ("同创", "tongchuang"), ("凯达", "kaida"), ("华美", "huamei"), ("永盛", "yongsheng"),
    ("振华", "zhenhua"), ("银河", "yinhe"),
)  # fmt: skip
ENGLISH_HEADS = (
    ("Pacific Rim", "pacificrim"), ("Blue Harbor", "blueharbor"), ("Summit", "summit"),
    ("Evergreen", "evergreen"), ("Northstar", "northstar"), ("Golden Bridge", "goldenbridge"),
    ("Silk Road", "silkroad"), ("Jade Garden", "jadegarden"), ("Oriental Pearl", "orientalpearl"),
    ("Red Lantern", "redlantern"), ("Harbour View", "harbourview"), ("Lotus", "lotus"),
)  # fmt: skip

SOURCES = (("展会", 25), ("转介绍", 20), ("官网", 15), ("电话陌拜", 20), ("老客户推荐", 20))
GRADES = (("A", 15), ("B", 35), ("C", 50))
STAGES_BY_GRADE = {
    "A": (("prospect", 10), ("active", 45), ("loyal", 35), ("dormant", 10)),
    "B": (("lead", 10), ("prospect", 25), ("active", 40), ("loyal", 15), ("dormant", 7),
          ("lost", 3)),
    "C": (("lead", 25), ("prospect", 25), ("active", 25), ("loyal", 5), ("dormant", 12),
          ("lost", 8)),
}  # fmt: skip
PERSON_TITLES = ("老板", "店长", "采购", "经理", "设计师", "医生", "老师", "个体户", "工程师")
CONTACT_TITLES = (
    "总经理", "副总经理", "采购经理", "采购专员", "财务经理", "行政主管", "技术总监",
    "运营经理", "项目经理", "董事长助理",
)  # fmt: skip
PREFERENCES = (
    "喜欢喝茶，龙井或普洱", "偏好微信沟通，不喜欢电话打扰", "周末不谈工作", "喜欢打羽毛球",
    "关注性价比", "注重交期和质量", "喜欢收到新品样品", "习惯邮件确认订单",
    "上午比较忙，下午联系为宜", "爱好摄影和旅行", "喜欢喝咖啡，不抽烟", "对环保材料感兴趣",
)  # fmt: skip
SPECIAL_NEEDS = (
    "发票需开增值税专用发票", "需要提供英文版合同", "送货需提前一天预约", "要求月结 30 天",
    "包装需加固，防潮", "需要上门安装调试", "报价单需盖公章", "只接受对公转账",
)  # fmt: skip
NOTES = (
    "广交会上认识的", "由王总介绍，关系不错", "对价格比较敏感，注意报价策略",
    "去年有一次投诉，已妥善处理", "决策人是老板娘", "有扩产计划，年底可能追加采购",
    "竞争对手在接触，需重点维护", "付款偶尔拖延，需要提醒", "老乡，聊得来",
    "新开了两家分店，需求在增长", "采购流程较长，需要走招标",
)  # fmt: skip
PAYMENT_TERMS = ("月结30天", "月结60天", "款到发货", "预付30%，货到付清")

INTERACTION_KINDS = (
    ("call", 30), ("message", 20), ("email", 15), ("visit", 12), ("meeting", 10),
    ("feedback", 7), ("event", 6),
)  # fmt: skip
SUBJECTS = {
    "call": ("报价", "回访", "催款", "确认交期", "新品介绍", "续约洽谈"),
    "message": ("微信跟进", "发货通知", "节日问候", "报价", "回访"),
    "email": ("报价单", "合同草案", "对账单", "新品目录", "续约洽谈"),
    "visit": ("上门拜访", "现场考察", "售后问题", "安装调试", "回访"),
    "meeting": ("续约洽谈", "年度合作会议", "方案评审", "商务谈判"),
    "feedback": ("产品反馈", "售后问题", "服务评价"),
    "event": ("展会", "新品发布会", "客户答谢会"),
}
DETAILS = (
    "客户对新款很感兴趣，要求寄样品", "价格上还有分歧，客户希望再降 5%",
    "确认了下月的采购量", "客户反映上批货有少量破损，已安排补发", "对方财务说月底前付款",
    "客户在比较两家供应商", "聊了明年的合作计划", "客户希望缩短交期",
    "介绍了新品和优惠活动", "客户满意，答应推荐给同行", "需要补充资质文件",
    "老板出差，下周再约", "发了电子版报价单和产品手册",
)  # fmt: skip
OUTCOMES = (
    "客户有意向", "需再跟进", "已发报价单", "客户暂不考虑", "已下单", "问题已解决",
    "等待客户内部审批", None, None,
)  # fmt: skip
# Product, unit price range in yuan, quantity range.
PRODUCTS = (
    ("工业传感器", 180, 900, 5, 120), ("人体工学办公椅", 450, 1600, 2, 60),
    ("食品包装袋（千个）", 80, 300, 5, 200), ("软件年费", 6800, 39800, 1, 1),
    ("企业培训课程", 2000, 12000, 1, 3), ("冷链运输服务", 1500, 9000, 1, 6),
    ("医用口罩（箱）", 120, 380, 10, 150), ("收银系统", 3800, 15800, 1, 5),
    ("茶叶礼盒", 168, 888, 5, 100), ("LED 显示屏", 2800, 16000, 1, 12),
    ("年度维保服务", 5000, 30000, 1, 1), ("定制工装", 90, 260, 20, 300),
)  # fmt: skip
ORDER_NOTES = ("含运费", "含税价", "客户要求分两批发货", "样品已确认", "老客户九五折", None)
OPPORTUNITY_TITLES = (
    "年度框架合同", "新品试用", "扩容采购", "续约", "渠道合作", "定制方案", "二期项目",
    "门店升级",
)  # fmt: skip
OPPORTUNITY_STAGES = ("初步接洽", "需求确认", "方案报价", "商务谈判", "合同审批")
NEXT_STEPS = (
    "下周发正式报价", "约技术交流", "等待客户内部审批", "安排样品试用", "准备合同草案",
    "请老板出面拜访",
)  # fmt: skip
TODAY_TITLES = ("回访：确认报价", "给客户寄合同", "电话确认到货情况", "约下周拜访")
OVERDUE_TITLES = ("寄送新品样品", "跟进付款进度", "补发资质文件", "回复客户询价")

# Stage: interactions (fewest, most, first and last day ago, recency skew),
# orders (fewest, most, first and last day ago), opportunities (most, chance of one).
STAGE_ACTIVITY = {
    "lead": ((0, 3, 1, 120, 1.3), (0, 0, 1, 1), (1, 0.3)),
    "prospect": ((1, 6, 1, 180, 1.6), (0, 1, 1, 90), (2, 0.8)),
    "active": ((2, 12, 1, 365, 1.8), (1, 6, 1, 365), (2, 0.5)),
    "loyal": ((4, 12, 1, 365, 1.8), (2, 6, 1, 365), (1, 0.4)),
    "dormant": ((1, 4, 100, 365, 1.0), (1, 3, 120, 365), (0, 0.0)),
    "lost": ((1, 5, 150, 365, 1.0), (0, 2, 150, 365), (1, 0.3)),
}
FOLLOW_UP_CHANCE = {
    "lead": 0.4, "prospect": 0.7, "active": 0.6, "loyal": 0.5, "dormant": 0.1, "lost": 0.0,
}  # fmt: skip

# Planted on customers picked at random, so the agenda always has each kind of work;
# most important first, as a small book keeps only the first ones.
PLANTED = (
    "silent_a", "overdue_order", "refund", "due_today", "overdue_reminder", "feb29",
    "english_person", "snoozed", "monthly", "cancel", "birthday_soon", "english_company",
    "silent_a", "overdue_order", "due_today", "overdue_reminder", "silent_a", "overdue_order",
    "refund", "english_person", "monthly", "silent_a", "overdue_order",
)  # fmt: skip
_PEOPLE_ROLES = ("feb29", "birthday_soon", "english_person")


def _pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


class _Filler:
    """The state of one fill: the random stream, the day, the counts."""

    def __init__(self, book: Book, rng: random.Random, today: date) -> None:
        self.book = book
        self.rng = rng
        self.today = today
        self.tz = timezone(book.clock().utcoffset() or timedelta(0))
        self.counts = dict.fromkeys(
            ("customers", "contacts", "interactions", "orders", "opportunities", "reminders"), 0
        )
        self.names: set[str] = set()  # customer names so far: repeats only when inevitable
        self.places = [(p, p.weight) for p in PLACES]
        self.industries = [(name, spec[0]) for name, spec in INDUSTRIES.items()]

    def fill(self, count: int) -> None:
        roles = PLANTED[:count]
        planted = dict(zip(self.rng.sample(range(count), len(roles)), roles, strict=True))
        for index in range(count):
            self.customer(planted.get(index))
        if count:
            self.remind("月底整理销售报表", self._month_end(), kind="custom", repeat_rule="monthly")

    # -- one customer ------------------------------------------------------------------

    def customer(self, role: str | None) -> None:
        rng = self.rng
        if role in _PEOPLE_ROLES:
            kind = "person"
        elif role == "english_company":
            kind = "company"
        else:
            kind = "company" if rng.random() < 1 / 3 else "person"
        grade = "A" if role == "silent_a" else _pick(rng, GRADES)
        stage = _pick(rng, STAGES_BY_GRADE[grade])
        if role == "silent_a":
            stage = rng.choice(("active", "loyal"))
        elif role in ("overdue_order", "refund", "cancel") and stage in ("lead", "prospect"):
            stage = "active"
        place = _pick(rng, self.places)
        province, city = place.province, place.city
        industry = _pick(rng, self.industries)
        values: dict[str, Any] = {
            "kind": kind,
            "industry": industry,
            "province": province,
            "city": city,
            "country": "中国",
            "address": self._address(place),
            "stage": stage,
            "grade": grade,
            "source": _pick(rng, SOURCES),
            "tags": self._tags(grade, stage, province),
        }
        slug = ""  # a company's domain
        if kind == "company":
            name, slug = self._company(place, industry, english=role == "english_company")
            values.update(
                name=name,
                phones=[self._landline(place, extension=False)]
                + ([self._mobile()] if rng.random() < 0.3 else []),
                emails=[f"{rng.choice(('sales', 'info', 'purchase'))}@{slug}.example.com"],
            )
            if rng.random() < 0.5:
                values["website"] = f"www.{slug}.example.com"
            if rng.random() < 0.4:
                values["custom.结算方式"] = rng.choice(PAYMENT_TERMS)
        else:
            english = role == "english_person" or rng.random() < 0.06
            name, handle = self._person(english=english, unique=True)
            values.update(
                name=name,
                phones=[self._mobile()] + ([self._mobile()] if rng.random() < 0.15 else []),
                emails=[self._personal_email(handle)] if rng.random() < 0.6 else [],
                birthday=self._birthday(role, chance=0.45),
            )
            if rng.random() < 0.6:
                values["wechat"] = f"{handle.replace('.', '_')}_{rng.randint(10, 99)}"
            if rng.random() < 0.5:
                values["company"] = self._company(place, industry, english=english)[0]
                values["title"] = rng.choice(PERSON_TITLES)
        self._extras(values, stage)
        customer_id = self.book.customers.create(values, source=SOURCE).id
        self.counts["customers"] += 1

        contacts = self._contacts(customer_id, place, slug) if kind == "company" else []
        self._interactions(customer_id, grade, stage, contacts, silent=role == "silent_a")
        self._orders(customer_id, stage, role)
        self._opportunities(customer_id, stage)
        self._reminders(customer_id, grade, stage, role)

    def _extras(self, values: dict[str, Any], stage: str) -> None:
        rng = self.rng
        if rng.random() < 0.35:
            values["preferences"] = rng.choice(PREFERENCES)
        if rng.random() < 0.15:
            values["special_needs"] = rng.choice(SPECIAL_NEEDS)
        if rng.random() < 0.4:
            values["notes"] = rng.choice(NOTES)
        if stage in ("active", "loyal") and rng.random() < 0.5:
            values["satisfaction"] = str(_pick(rng, ((3, 2), (4, 5), (5, 3))))
        if stage in ("dormant", "lost") and rng.random() < 0.1:
            values["do_not_contact"] = True
        if rng.random() < 0.6:
            values["consent_date"] = self._ago(rng.randint(30, 900)).isoformat()

    def _tags(self, grade: str, stage: str, province: str) -> list[str]:
        rng = self.rng
        tags = []
        if grade == "A" and rng.random() < 0.6:
            tags.append("VIP")
        if stage == "loyal" or (stage == "active" and rng.random() < 0.3):
            tags.append("老客户")
        if province in EAST_CHINA:
            tags.append("华东")
        if (stage == "prospect" and rng.random() < 0.4) or (grade == "A" and rng.random() < 0.2):
            tags.append("重点跟进")
        if rng.random() < 0.15:
            tags.append("价格敏感")
        return tags

    def _contacts(self, customer_id: int, place: Place, slug: str) -> list[int]:
        rng = self.rng
        count = _pick(rng, ((1, 50), (2, 35), (3, 15)))
        ids = []
        for number, title in enumerate(rng.sample(CONTACT_TITLES, count)):
            name, handle = self._person(english=rng.random() < 0.08, unique=False)
            phones = [self._mobile()]
            if rng.random() < 0.3:
                phones.append(self._landline(place, extension=True))
            values: dict[str, Any] = {
                "name": name,
                "title": title,
                "phones": phones,
                "is_primary": number == 0,
            }
            if rng.random() < 0.7:
                values["emails"] = [f"{handle}@{slug}.example.com"]
            if rng.random() < 0.5:
                values["wechat"] = f"{handle.replace('.', '_')}{rng.randint(1, 999)}"
            birthday = self._birthday(None, chance=0.2)
            if birthday:
                values["birthday"] = birthday
            if rng.random() < 0.15:
                values["notes"] = rng.choice(PREFERENCES)
            contact = self.book.customers.add_contact(customer_id, values, source=SOURCE)
            ids.append(int(contact["id"]))
            self.counts["contacts"] += 1
        return ids

    # -- activity ----------------------------------------------------------------------

    def _interactions(
        self, customer_id: int, grade: str, stage: str, contacts: list[int], *, silent: bool
    ) -> None:
        rng = self.rng
        fewest, most, first, last, skew = STAGE_ACTIVITY[stage][0]
        if silent:  # an A customer nobody has called for over a month
            fewest, first = max(fewest, 2), max(first, 35)
        elif grade == "A" and stage in ("prospect", "active", "loyal"):  # looked after
            fewest, skew = max(fewest, 3), skew * 1.5
        count = rng.randint(fewest, most)
        days = sorted((self._days_ago(first, last, skew) for _ in range(count)), reverse=True)
        for number, ago in enumerate(days):
            kind = _pick(rng, INTERACTION_KINDS)
            subject = rng.choice(SUBJECTS[kind])
            values: dict[str, Any] = {
                "kind": kind,
                "happened_at": self._at(ago),
                "subject": subject,
                "body": rng.choice(DETAILS) if rng.random() < 0.7 else None,
                "outcome": rng.choice(OUTCOMES),
            }
            if kind == "feedback":
                values["rating"] = str(_pick(rng, ((2, 1), (3, 2), (4, 4), (5, 4))))
            if contacts and rng.random() < 0.8:
                values["contact_id"] = rng.choice(contacts)
            newest = number == count - 1
            follow_up = None
            if rng.random() < (FOLLOW_UP_CHANCE[stage] if newest else 0.1):
                follow_up = self._ago(ago) + timedelta(days=rng.choice((1, 2, 3, 7, 7, 14, 30)))
            self.book.activity.log(customer_id, values, source=SOURCE, follow_up=follow_up)
            self.counts["interactions"] += 1
            if follow_up is not None:
                self.counts["reminders"] += 1
                # Older follow-ups were done (or overtaken by the next contact).
                if not newest or follow_up < self._ago(10):
                    self._done_newest_reminder(customer_id)

    def _done_newest_reminder(self, customer_id: int) -> None:
        newest = max(self.book.activity.open_reminders(customer_id), key=lambda r: int(r["id"]))
        self.book.activity.done(int(newest["id"]), None, source=SOURCE)

    def _reminders(self, customer_id: int, grade: str, stage: str, role: str | None) -> None:
        rng = self.rng
        if role == "due_today":
            self.remind(rng.choice(TODAY_TITLES), self.today, customer_id=customer_id)
        elif role == "overdue_reminder":
            due = self._ago(rng.randint(1, 10))
            self.remind(rng.choice(OVERDUE_TITLES), due, customer_id=customer_id)
        elif role == "snoozed":
            due = self._ago(rng.randint(1, 4))
            reminder = self.remind("寄送新品样品", due, customer_id=customer_id)
            until = self.today + timedelta(days=rng.randint(1, 5))
            self.book.activity.snooze(int(reminder["id"]), until, source=SOURCE)
        if role == "monthly" or (grade == "A" and stage == "loyal" and rng.random() < 0.1):
            due = self.today + timedelta(days=rng.randint(-2, 20))
            title = rng.choice(("每月对账", "月度回访"))
            kind = "payment" if title == "每月对账" else "follow-up"
            self.remind(title, due, customer_id=customer_id, kind=kind, repeat_rule="monthly")
        if stage == "loyal" and rng.random() < 0.15:
            due = self.today + timedelta(days=rng.randint(5, 90))
            self.remind("续约洽谈", due, customer_id=customer_id, kind="renewal")

    def remind(
        self,
        title: str,
        due: date,
        *,
        customer_id: int | None = None,
        kind: str = "follow-up",
        repeat_rule: str | None = None,
    ) -> dict[str, Any]:
        reminder = self.book.activity.remind(
            title,
            due,
            customer_id=customer_id,
            kind=kind,
            repeat_rule=repeat_rule,
            source=SOURCE,
        )
        self.counts["reminders"] += 1
        return reminder

    # -- deals -------------------------------------------------------------------------

    def _orders(self, customer_id: int, stage: str, role: str | None) -> None:
        rng = self.rng
        fewest, most, first, last = STAGE_ACTIVITY[stage][1]
        for _ in range(rng.randint(fewest, most)):
            ago = self._days_ago(first, last, 1.3)
            if ago > 60:
                status = _pick(rng, (("paid", 91), ("refunded", 3), ("cancelled", 4), ("open", 2)))
            else:
                status = _pick(rng, (("paid", 65), ("open", 30), ("cancelled", 5)))
            self._order(customer_id, ago, status)
        if role == "overdue_order":  # unpaid 10 to 70 days after its due date
            order = self._order(customer_id, rng.randint(40, 100), "open", terms=30)
            due = date.fromisoformat(order["payment_due"]) + timedelta(days=3)
            title = f"催款：{order['product']}"
            self.remind(title, due, customer_id=customer_id, kind="payment")
        elif role == "refund":
            self._order(customer_id, rng.randint(20, 200), "refunded")
        elif role == "cancel":
            self._order(customer_id, rng.randint(5, 120), "cancelled")

    def _order(
        self, customer_id: int, ago: int, status: str, *, terms: int | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        ordered = self._ago(ago)
        product, low, high, fewest, most = rng.choice(PRODUCTS)
        values: dict[str, Any] = {
            "ordered_on": ordered.isoformat(),
            "product": product,
            "notes": rng.choice(ORDER_NOTES),
            **self._amount(rng.randint(fewest, most), rng.randint(low, high)),
        }
        if terms is not None or rng.random() < 0.75:  # else cash on delivery: no due date
            days = terms or rng.choice((15, 30, 30, 45, 60))
            values["payment_due"] = (ordered + timedelta(days=days)).isoformat()
        paid_on = min(ordered + timedelta(days=rng.randint(0, 25)), self.today)
        paid_later = status == "paid" and ago <= 60 and rng.random() < 0.3
        if status in ("paid", "refunded") and not paid_later:
            values.update(status="paid", paid_on=paid_on.isoformat())
        order = self.book.deals.add_order(customer_id, values, source=SOURCE)
        self.counts["orders"] += 1
        order_id = int(order["id"])
        if paid_later:
            return self.book.deals.mark_paid(order_id, paid_on, source=SOURCE)
        if status in ("cancelled", "refunded"):
            return self.book.deals.set_order_status(order_id, status, source=SOURCE)
        return order

    def _amount(self, quantity: int, unit: int) -> dict[str, str]:
        """The order's money as people type it: quantity × unit price, ¥12,800.00, 3.5万
        or 8600元."""
        rng = self.rng
        total = quantity * unit
        style = rng.random()
        if style < 0.3:
            price = rng.choice((f"¥{unit:,}.00", f"{unit}元", str(unit), f"{unit}.50"))
            return {"quantity": str(quantity), "unit_price": price}
        if style < 0.5 and total >= 10_000:
            tenths = round(total / 1000)  # in tenths of 万
            shown = f"{tenths // 10}万" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}万"
            return {"quantity": str(quantity), "amount": shown}
        if style < 0.65:
            return {"quantity": str(quantity), "amount": f"{total}元"}
        minor = total * 100 if total < 1000 else total // 100 * 10_000  # a rounded-off price
        if rng.random() < 0.2:
            minor += rng.randint(1, 99)
        return {"quantity": str(quantity), "amount": f"¥{minor // 100:,}.{minor % 100:02d}"}

    def _opportunities(self, customer_id: int, stage: str) -> None:
        rng = self.rng
        most, chance = STAGE_ACTIVITY[stage][2]
        if rng.random() >= chance:
            return
        for _ in range(rng.randint(1, most)):
            wan = rng.choice((2, 3, 5, 8, 10, 12, 15, 20, 30, 50))
            closed = stage == "lost" or rng.random() < 0.3
            if closed:
                expected = self._ago(rng.randint(5, 150))
            else:
                expected = self.today + timedelta(days=rng.randint(-20, 120))
            values = {
                "title": rng.choice(OPPORTUNITY_TITLES),
                "product": rng.choice(PRODUCTS)[0],
                "amount": f"{wan}万" if rng.random() < 0.5 else f"¥{wan * 10_000:,}",
                "stage": rng.choice(OPPORTUNITY_STAGES),
                "probability": str(rng.choice((10, 20, 30, 50, 60, 70, 80, 90))),
                "expected_close": expected.isoformat(),
                "next_step": rng.choice(NEXT_STEPS) if not closed else None,
            }
            opportunity = self.book.deals.add_opportunity(customer_id, values, source=SOURCE)
            self.counts["opportunities"] += 1
            if closed:
                outcome = "lost" if stage == "lost" or rng.random() < 0.4 else "won"
                on = min(expected + timedelta(days=rng.randint(-5, 5)), self.today)
                self.book.deals.close_opportunity(
                    int(opportunity["id"]), outcome, on, source=SOURCE
                )

    # -- names, numbers, dates ---------------------------------------------------------

    def _person(self, *, english: bool, unique: bool) -> tuple[str, str]:
        """A person's name and a Latin handle for emails and WeChat ids."""
        rng = self.rng
        for _attempt in range(4):
            if english:
                first = rng.choice(ENGLISH_GIVEN)
                if rng.random() < 0.2:
                    last = rng.choice(WESTERN_SURNAMES)
                else:
                    last = rng.choice(SURNAMES)[1]
                name, handle = f"{first} {last}", f"{first}.{last}".lower()
            else:
                (surname, surname_py), (given, given_py) = (
                    rng.choice(SURNAMES),
                    rng.choice(GIVEN_NAMES),
                )
                name, handle = surname + given, f"{surname_py.lower()}{given_py}"
            if not unique or name not in self.names:
                break
        if unique:
            self.names.add(name)
        return name, handle

    def _company(self, place: Place, industry: str, *, english: bool) -> tuple[str, str]:
        """A company's name and the slug of its (example) domain."""
        rng = self.rng
        for _attempt in range(4):
            if english:
                head, slug = rng.choice(ENGLISH_HEADS)
                word = INDUSTRIES[industry][2]
                suffix = rng.choice(("Ltd.", "Co., Ltd.", f"({place.city_en}) Co., Ltd."))
                name = f"{head} {word} {suffix}"
                slug = f"{slug}-{word.split()[0].lower()}"
            else:
                trade, trade_slug = rng.choice(TRADE_NAMES)
                word, word_slug = rng.choice(INDUSTRIES[industry][1])
                kind = "股份有限公司" if rng.random() < 0.1 else "有限公司"
                name, slug = f"{place.prefix}{trade}{word}{kind}", f"{trade_slug}-{word_slug}"
            if name not in self.names:
                break
        self.names.add(name)
        return name, slug

    def _mobile(self) -> str:
        rng = self.rng
        prefix, rest = rng.choice(MOBILE_PREFIXES), f"{rng.randrange(10**8):08d}"
        return rng.choice(
            (
                f"{prefix}{rest}",
                f"{prefix} {rest[:4]} {rest[4:]}",
                f"{prefix}-{rest[:4]}-{rest[4:]}",
                f"+86 {prefix} {rest[:4]} {rest[4:]}",
            )
        )

    def _landline(self, place: Place, *, extension: bool) -> str:
        number = f"{place.area_code}-{place.landline_first}{self.rng.randrange(10**7):07d}"
        return f"{number}转{self.rng.randint(801, 899)}" if extension else number

    def _personal_email(self, handle: str) -> str:
        rng = self.rng
        domain = rng.choice(("example.com", "example.net", "example.org"))
        number = str(rng.randint(1, 99)) if rng.random() < 0.5 else ""
        return f"{handle}{number}@{domain}"

    def _address(self, place: Place) -> str:
        rng = self.rng
        district, road = rng.choice(place.districts), rng.choice(ROADS)
        street = f"{place.city}市{district}{road}{rng.randint(1, 999)}号"
        if rng.random() < 0.5:
            street += f"{rng.randint(1, 12)}栋{rng.randint(1, 28)}{rng.randint(1, 20):02d}室"
        return street

    def _birthday(self, role: str | None, *, chance: float) -> str | None:
        """1985-03-05, or 03-05 when the year is not known."""
        rng = self.rng
        if role == "feb29":
            return "1992-02-29"
        if role == "birthday_soon":  # in the agenda's coming week
            soon = self.today + timedelta(days=rng.randint(1, 5))
            return f"{soon.month:02d}-{soon.day:02d}"
        if rng.random() >= chance:
            return None
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        if rng.random() < 0.3:
            return f"{month:02d}-{day:02d}"
        return f"{rng.randint(1960, 2000)}-{month:02d}-{day:02d}"

    def _days_ago(self, first: int, last: int, skew: float) -> int:
        """A day from `first` to `last` days ago, more often recent the larger `skew`,
        mostly on a working day."""
        rng = self.rng
        ago = first + int((last - first + 1) * rng.random() ** skew)
        weekday = self._ago(ago).weekday()
        if weekday >= 5 and rng.random() < 0.8:
            friday, monday = ago + weekday - 4, ago - (7 - weekday)
            ago = friday if friday <= last else monday if monday >= first else ago
        return ago

    def _ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def _at(self, days_ago: int) -> datetime:
        hour = self.rng.randint(9, 18)
        minute = self.rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
        return datetime.combine(self._ago(days_ago), time(hour, minute), tzinfo=self.tz)

    def _month_end(self) -> date:
        next_month = (self.today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return next_month - timedelta(days=1)
