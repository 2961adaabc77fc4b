"""A deterministic, CRM-like SQLite database for benchmarks: customers with contacts,
interactions and orders, in a mix of Chinese and English.

Text is cut from one pre-built corpus at random offsets, so generating 100k customers
(about 400 MB) takes seconds rather than minutes of per-character Python loops.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    company TEXT,
    city TEXT,
    address TEXT,
    phones TEXT,
    emails TEXT,
    notes TEXT,
    tags TEXT,
    created_at TEXT,
    updated_at TEXT
);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT,
    email TEXT
);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    subject TEXT,
    body TEXT
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    ordered_at TEXT NOT NULL,
    product TEXT,
    quantity INTEGER,
    amount_cents INTEGER,
    status TEXT
);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);
CREATE INDEX orders_customer ON orders(customer_id, ordered_at);
"""


def words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧巧美淑惠珠翠雅芝玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎"
    "锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
FIRST_NAMES = words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy "
    "Anthony Betty Mark Sandra Emily Kevin Olivia Jason Sophie Ryan Grace Lucas Chloe"
)
LAST_NAMES = words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Anderson Taylor Thomas "
    "Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright "
    "Chan Wong Tan Lim Ng Chen Müller Schmidt Dubois Rossi"
)
ZH_CITIES = words("上海 北京 广州 深圳 杭州 苏州 南京 成都 重庆 武汉 西安 天津 宁波 厦门 青岛 大连")
EN_CITIES = words("Singapore London Sydney Toronto Frankfurt Vancouver Auckland")
BRANDS = words("华峰 宏达 鑫源 金泰 瑞丰 中科 永盛 恒通 天成 新亚 东方 海润 百川 博远 正泰 德信")
TRADES = words("贸易 科技 电子 机械 建材 物流 化工 食品 医疗器械 信息技术 纺织 包装")
EN_COMPANY_WORDS = words(
    "Northwind Pacific Summit Blue Harbor Evergreen Apex Silver Lake Golden Bridge Orion "
    "Redwood Crescent Sterling Atlas Meridian"
)
EN_COMPANY_KINDS = words("Trading Logistics Systems Foods Electronics Imports Supplies Partners")
EN_COMPANY_SUFFIXES = words("Ltd. Inc. LLC Pte.Ltd. GmbH Co.")
STREETS = words("南京西路 淮海中路 人民路 中山路 解放路 建设路 长安街 滨江大道 科技园路")
EN_STREETS = words("Market St, Queen's Rd, High St, Orchard Rd, King St, Harbour Ave", ", ")
TAGS = words("VIP 重点客户 潜在客户 经销商 lead renewal 老客户 overdue 华东 华南 export 待跟进")
ROLES = words("总经理 采购经理 财务 技术负责人 CEO Buyer Engineer Assistant 销售总监 Procurement")
KINDS = ("call", "email", "meeting", "visit", "wechat", "note")
STATUSES = ("quoted", "confirmed", "shipped", "paid", "cancelled")
PRODUCTS = words(
    "不锈钢阀门 DN50 / 工业传感器 T-200 / 包装膜 50µm / LED 面板 600x600 / "
    "Hydraulic pump HP-3 / 控制柜 / Carton 5-ply / 电机 7.5kW / Filter cartridge / 轴承 6205",
    " / ",
)
ZH_WORDS = words(
    "客户 报价 合同 发货 付款 会议 跟进 需求 样品 价格 质量 交期 折扣 订单 库存 物流 发票 "
    "采购 预算 项目 确认 修改 方案 沟通 电话 拜访 反馈 问题 解决 下周 本月 年底 续约 安装 "
    "培训 售后 投诉 退货 检验 认证 技术 参数 规格 数量 单价 总价 运费 包装 仓库 联系 负责 "
    "经理 老板 同事 工厂 车间 生产 计划 安排 延期 提前 满意 担心 考虑 决定 同意 拒绝 "
    "， 。 、 ； ： ！ ？"
)
EN_WORDS = words(
    "quote contract shipment payment meeting follow-up requirement sample price quality "
    "lead-time discount order stock invoice purchase budget project confirm revise proposal "
    "call visit feedback issue resolve next-week month-end renewal install training "
    "after-sales complaint return inspection certification spec quantity unit-price freight "
    "packaging warehouse the a to for with on and of is was will please regarding "
    "customer asked us about new terms, we agreed. they need it by Friday."
)


@dataclass(frozen=True)
class Shape:
    """Rows and text lengths per customer (ranges are inclusive)."""

    contacts: tuple[int, int] = (1, 3)
    interactions: tuple[int, int] = (15, 25)
    orders: tuple[int, int] = (2, 6)
    notes_chars: tuple[int, int] = (100, 400)
    body_chars: tuple[int, int] = (100, 600)
    # Share of interactions that carry a long body; the rest get a one-line body. Tuned so a
    # customer averages about 4.2 KB of database (the issue measured 426 MB at 100k). With a
    # long body on every interaction a customer takes about 15.6 KB: 1.5 GB at 100k, past
    # what an unlocked book can hold (SQLite's 1 GiB in-memory limit).
    long_body_share: float = 0.05
    short_body_chars: tuple[int, int] = (0, 30)


DEFAULT_SHAPE = Shape()
BATCH_CUSTOMERS = 2000


class Draw:
    """Fast draws from one seeded random.Random (randint/choice cost ~1 µs each; this ~0.1)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]


class Text:
    """Random slices of one mixed Chinese/English corpus: fast and deterministic."""

    def __init__(self, draw: Draw, size: int = 1 << 20) -> None:
        self._draw = draw
        self._corpus = _corpus(draw.rng, size)
        self._limit = len(self._corpus) - 1

    def cut(self, low: int, high: int) -> str:
        length = self._draw.between(low, high)
        start = int(self._draw.random() * (self._limit - length))
        return self._corpus[start : start + length]


def _corpus(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        pool = ZH_WORDS if rng.random() < 0.6 else EN_WORDS
        sep = "" if pool is ZH_WORDS else " "
        phrase = sep.join(rng.choices(pool, k=rng.randint(3, 12))) + " "
        parts.append(phrase)
        total += len(phrase)
    return "".join(parts)


def _dates(rng: random.Random, count: int = 1 << 16) -> list[str]:
    first = datetime(2018, 1, 1, 8, 0)  # office hours, 08:00-18:59, over eight years
    offsets = (rng.randrange(8 * 365) * 1440 + rng.randrange(11 * 60) for _ in range(count))
    moments = (first + timedelta(minutes=offset) for offset in offsets)
    return [moment.strftime("%Y-%m-%dT%H:%M") for moment in moments]


class Generator:
    """Rows for customers, drawn from one seeded random.Random."""

    def __init__(self, seed: int = 20240601, shape: Shape = DEFAULT_SHAPE) -> None:
        self.draw = Draw(seed)
        self.shape = shape
        self.text = Text(self.draw)
        self.dates = _dates(self.draw.rng)
        self._ids = {"contacts": 0, "interactions": 0, "orders": 0}

    def _next_id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def person(self) -> str:
        d = self.draw
        if d.random() < 0.7:
            given = d.pick(GIVEN) + (d.pick(GIVEN) if d.random() < 0.6 else "")
            return d.pick(SURNAMES) + given
        return f"{d.pick(FIRST_NAMES)} {d.pick(LAST_NAMES)}"

    def company(self, city: str) -> str:
        d = self.draw
        if city in ZH_CITIES:
            return f"{city}{d.pick(BRANDS)}{d.pick(TRADES)}有限公司"
        words = f"{d.pick(EN_COMPANY_WORDS)} {d.pick(EN_COMPANY_WORDS)}"
        return f"{words} {d.pick(EN_COMPANY_KINDS)} {d.pick(EN_COMPANY_SUFFIXES)}"

    def phone(self) -> str:
        d = self.draw
        return f"+86 1{d.between(30, 99)} {d.between(1000, 9999)} {d.between(1000, 9999)}"

    def email(self, index: int) -> str:
        domain = self.draw.pick(("qq.com", "163.com", "example.com", "mail.cn", "corp.hk"))
        return f"user{index}.{self.draw.between(1, 999)}@{domain}"

    def address(self, city: str) -> str:
        d = self.draw
        if city in ZH_CITIES:
            return f"{city}市{d.pick(STREETS)}{d.between(1, 2000)}号{d.between(1, 30)}楼"
        return f"{d.between(1, 999)} {d.pick(EN_STREETS)}, {city}"

    def customer(self, cid: int) -> tuple[object, ...]:
        d = self.draw
        city = d.pick(ZH_CITIES) if d.random() < 0.75 else d.pick(EN_CITIES)
        phones = ", ".join(self.phone() for _ in range(d.between(1, 2)))
        emails = ", ".join(self.email(cid) for _ in range(d.between(1, 2)))
        tags = ",".join(d.rng.sample(TAGS, d.between(0, 3)))
        notes = self.text.cut(*self.shape.notes_chars)
        created = d.pick(self.dates)
        return (cid, self.person(), self.company(city), city, self.address(city), phones,
                emails, notes, tags, created, d.pick(self.dates))  # fmt: skip

    def contacts(self, cid: int) -> Iterator[tuple[object, ...]]:
        for _ in range(self.draw.between(*self.shape.contacts)):
            yield (self._next_id("contacts"), cid, self.person(), self.draw.pick(ROLES),
                   self.phone(), self.email(cid))  # fmt: skip

    def interactions(self, cid: int) -> Iterator[tuple[object, ...]]:
        d, shape, cut = self.draw, self.shape, self.text.cut
        for _ in range(d.between(*shape.interactions)):
            long = d.random() < shape.long_body_share
            body = cut(*(shape.body_chars if long else shape.short_body_chars))
            yield (self._next_id("interactions"), cid, d.pick(KINDS), d.pick(self.dates),
                   cut(6, 30), body)  # fmt: skip

    def orders(self, cid: int) -> Iterator[tuple[object, ...]]:
        d = self.draw
        for _ in range(d.between(*self.shape.orders)):
            yield (self._next_id("orders"), cid, d.pick(self.dates), d.pick(PRODUCTS),
                   d.between(1, 500), d.between(10_000, 50_000_000),
                   d.pick(STATUSES))  # fmt: skip


def _insert_batch(db: sqlite3.Connection, gen: Generator, ids: Sequence[int]) -> None:
    customers = [gen.customer(cid) for cid in ids]
    contacts = [row for cid in ids for row in gen.contacts(cid)]
    interactions = [row for cid in ids for row in gen.interactions(cid)]
    orders = [row for cid in ids for row in gen.orders(cid)]
    db.executemany(f"INSERT INTO customers VALUES ({_marks(11)})", customers)
    db.executemany(f"INSERT INTO contacts VALUES ({_marks(6)})", contacts)
    db.executemany(f"INSERT INTO interactions VALUES ({_marks(6)})", interactions)
    db.executemany(f"INSERT INTO orders VALUES ({_marks(7)})", orders)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def build(
    customers: int,
    *,
    seed: int = 20240601,
    shape: Shape = DEFAULT_SHAPE,
    application_id: int = 0,
) -> sqlite3.Connection:
    """A fresh in-memory database holding `customers` customers and their rows."""
    db = sqlite3.connect(":memory:")
    db.execute(f"PRAGMA application_id={application_id}")
    db.executescript(SCHEMA)
    gen = Generator(seed, shape)
    with db:
        for start in range(1, customers + 1, BATCH_CUSTOMERS):
            stop = min(start + BATCH_CUSTOMERS, customers + 1)
            _insert_batch(db, gen, range(start, stop))
    return db


def row_counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = ("customers", "contacts", "interactions", "orders")
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


if __name__ == "__main__":
    import sys
    import time

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    began = time.perf_counter()
    built = build(count)
    elapsed = time.perf_counter() - began
    size = len(built.serialize())
    print(f"{count} customers: {size:,} bytes ({size / count:,.0f} B/customer) in {elapsed:.2f} s")
    print(row_counts(built))
    print(built.execute("SELECT * FROM customers LIMIT 2").fetchall())
    print(built.execute("SELECT * FROM interactions LIMIT 3").fetchall())
