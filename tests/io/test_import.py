"""Import of messy files, each awkward case built here with openpyxl or csv, with its exact
customers, contacts, orders (in minor units) and problems."""

from __future__ import annotations

import datetime
import json

import pytest
from openpyxl import Workbook

from custbook.book import figures
from custbook.book import rows as book_rows
from custbook.book.search import index
from custbook.errors import InvalidInput
from custbook.io import importer
from custbook.io.headers import parse_overrides


def imported(book, path, **options):
    overrides = parse_overrides(options.pop("maps", ()))
    dry_run = options.pop("dry_run", False)
    plan = importer.prepare(path, region="CN", currency="CNY", overrides=overrides, **options)
    return importer.run(book, plan, dry_run=dry_run)


def customers(book):
    found = {}
    for row in book.db.execute("SELECT * FROM customers ORDER BY id"):
        record = dict(row)
        record["phones"] = [p["e164"] for p in json.loads(record["phones"])]
        record["emails"] = json.loads(record["emails"])
        record["custom_fields"] = json.loads(record["custom_fields"])
        found[record["name"]] = record
    return found


def contacts(book):
    return [
        (r["customer"], r["name"], [p["e164"] for p in json.loads(r["phones"])])
        for r in book.db.execute(
            "SELECT c.name AS customer, p.name, p.phones FROM contacts p"
            " JOIN customers c ON c.id = p.customer_id ORDER BY p.id"
        )
    ]


def orders(book):
    return [
        tuple(r)
        for r in book.db.execute(
            "SELECT c.name, o.ordered_on, o.product, o.amount_minor, o.currency, o.status"
            " FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.id"
        )
    ]


def problems(summary):
    return [(p.row, p.column, p.value) for p in summary.problems]


def write_csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def messy_workbook(path):
    """An instructions sheet first; on the data sheet a merged title, a blank row, then
    the header; typed date and number cells, an Excel serial, two phones in a cell."""
    wb = Workbook()
    wb.active.title = "填写说明"
    wb.active.append(["请按下表填写客户信息"])
    ws = wb.create_sheet("客户名录")
    ws.append(["2024年客户名录管理表"])
    ws.merge_cells("A1:H1")
    ws.append([])
    ws.append(["序号", "客户名称", "联系人", "联系电话", "邮箱", "客户等级", "交易日期",
               "交易金额", "产品", "备注", "QQ号"])  # fmt: skip
    ws.append([1, "上海宏达贸易有限公司", "张伟", "13800138000；139 0013 9000",
               "zhang@hongda.cn", "A类", datetime.datetime(2024, 3, 5), 12500.5, "打印机",
               "老客户", 12345])  # fmt: skip
    ws.append([2, "上海宏达贸易有限公司", "张伟", 13800138000, None, "A", 45400, "3000元",
               "墨盒", None, None])  # fmt: skip
    ws.append([None] * 11)
    ws.append([3, "北京ＡＢＣ科技", "李娜", "010-62345678转801", "bad-email", "B",
               "2024年4月18日", "abc", "服务器", "要发票", None])  # fmt: skip
    ws.append([4, None, None, None, None, None, "20230520", None, None, "没有名字", None])
    ws.append([None] * 11)  # trailing blank rows
    wb.save(path)
    return path


def test_a_messy_workbook(book, tmp_path):
    summary = imported(book, messy_workbook(tmp_path / "客户.xlsx"))
    found = customers(book)
    assert list(found) == ["上海宏达贸易有限公司", "北京ABC科技"]
    hongda = found["上海宏达贸易有限公司"]
    assert (hongda["kind"], hongda["grade"], hongda["notes"]) == ("company", "A", "老客户")
    assert hongda["custom_fields"] == {"QQ号": "12345"}
    assert hongda["phones"] == []  # the phones are the contact person's
    assert contacts(book) == [
        ("上海宏达贸易有限公司", "张伟", ["+8613800138000", "+8613900139000"]),
        ("北京ABC科技", "李娜", ["+861062345678"]),
    ]
    assert orders(book) == [
        ("上海宏达贸易有限公司", "2024-03-05", "打印机", 1250050, "CNY", "paid"),
        ("上海宏达贸易有限公司", "2024-04-18", "墨盒", 300000, "CNY", "paid"),
    ]
    abc = found["北京ABC科技"]
    assert abc["emails"] == []
    assert "“bad-email”" in abc["notes"] and "“abc”" in abc["notes"]
    assert "服务器" in abc["notes"]  # the order without an amount, kept verbatim
    assert problems(summary) == [
        (7, "邮箱", "bad-email"),
        (7, "交易金额", "abc"),
        (7, "", "交易日期 2024年4月18日; 交易金额 abc; 产品 服务器"),
        (8, "", "交易日期=20230520; 备注=没有名字"),
    ]
    assert (summary.created, summary.contacts, summary.orders, summary.rejected) == (2, 2, 2, 1)
    assert_kept_equals_rebuilt(book)


def test_each_imported_record_is_recorded_as_stored(book, tmp_path):
    """The change rows an import writes by SQL hold exactly what rows.snapshot reads."""
    text = '客户名称,联系人,手机,标签,交易金额\n甲公司,张三,13700001111,"vip,Beta,alpha",10\n'
    imported(book, write_csv(tmp_path / "a.csv", text))
    changes = book.db.execute(
        "SELECT entity, entity_id, customer_id, after FROM changes"
    ).fetchall()
    assert sorted(c[0] for c in changes) == ["contact", "customer", "order"]
    for entity, entity_id, owner, after in changes:
        assert json.loads(after) == book_rows.snapshot(book.db, entity, entity_id)
        assert owner == book.db.execute("SELECT id FROM customers").fetchone()[0]
    assert json.loads(changes[0][3])["tags"] == ["alpha", "Beta", "vip"]


def test_an_import_is_made_at_one_time(book, tmp_path):
    """The book's clock (here one that moves on at every reading) stands still during an
    import: every record is stamped with its change set's time; after, it moves again."""
    text = "客户名称,联系人,手机,交易金额\n甲公司,张三,13700001111,10\n乙公司,李四,13700002222,20\n"
    imported(book, write_csv(tmp_path / "a.csv", text))
    (made_at,) = book.db.execute("SELECT made_at FROM change_sets").fetchone()
    stamps = {
        r[0]
        for table in ("customers", "contacts", "orders")
        for r in book.db.execute(f"SELECT created_at FROM {table}")
    }
    assert stamps == {made_at}
    assert book.now_text() != made_at


def assert_kept_equals_rebuilt(book):
    """The figures and search rows the import kept are what a rebuild computes."""
    kept = (figures.kept(book.db), index.kept(book.db))
    figures.rebuild(book.db)
    index.rebuild(book.db)
    assert (figures.kept(book.db), index.kept(book.db)) == kept


def test_importing_the_same_file_twice_changes_nothing(book, tmp_path):
    path = messy_workbook(tmp_path / "客户.xlsx")
    imported(book, path)
    before = book.db.execute("SELECT count(*) FROM change_sets").fetchone()[0]
    snapshot = (customers(book), contacts(book), orders(book))
    again = imported(book, path)
    assert (again.created, again.updated, again.unchanged, again.orders) == (0, 0, 2, 0)
    assert (customers(book), contacts(book), orders(book)) == snapshot
    assert book.db.execute("SELECT count(*) FROM change_sets").fetchone()[0] == before


def test_an_import_is_one_undo_and_a_dry_run_changes_nothing(book, tmp_path):
    path = messy_workbook(tmp_path / "客户.xlsx")
    dry = imported(book, path, dry_run=True)
    assert (dry.created, dry.orders) == (2, 2)
    assert customers(book) == {}
    book.customers.create({"name": "早就有的客户"}, source="t")
    imported(book, path)
    assert len(customers(book)) == 3
    book.undo(source="t")
    assert list(customers(book)) == ["早就有的客户"]
    assert orders(book) == [] and contacts(book) == []


def test_a_failure_midway_rolls_the_whole_import_back(book, tmp_path, monkeypatch):
    path = messy_workbook(tmp_path / "客户.xlsx")
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)

    original = book.deals.order_record
    monkeypatch.setattr(book.deals, "order_record", broken)
    with pytest.raises(RuntimeError):
        imported(book, path)
    assert customers(book) == {} and orders(book) == []
    assert book.db.execute("SELECT count(*) FROM change_sets").fetchone()[0] == 0


def test_a_customer_in_the_book_is_filled_never_overwritten(book, tmp_path):
    made = book.customers.create(
        {"name": "王芳", "city": "上海", "phones": ["13911112222"]}, source="t"
    )
    book.deals.add_order(made.id, {"amount": "100", "ordered_on": "2024-01-02"}, source="t")
    path = write_csv(
        tmp_path / "a.csv",
        "姓名,手机,城市,行业,邮箱,日期,金额\n"
        "王芳,13911112222,北京,零售,wf@example.com,2024-01-02,100\n"
        "王芳,13911112222,,,,2024-02-03,200\n",
    )
    summary = imported(book, path)
    assert (summary.created, summary.updated, summary.orders) == (0, 1, 1)
    wang = customers(book)["王芳"]
    assert (wang["city"], wang["industry"], wang["emails"]) == ("上海", "零售", ["wf@example.com"])
    assert "“北京”" in wang["notes"] and "“上海”" in wang["notes"]
    assert [p.column for p in summary.problems] == ["城市"]  # the file's column
    assert [o[1:4] for o in orders(book)] == [
        ("2024-01-02", None, 10000), ("2024-02-03", None, 20000),
    ]  # fmt: skip


def test_same_name_with_other_phones_is_another_customer(book, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        "姓名,手机,金额\n张伟,13800138000,10\n张伟,13900139000,20\n张伟,13800138000,30\n张伟,,40\n",
    )
    summary = imported(book, path)
    assert summary.created == 2
    assert_kept_equals_rebuilt(book)
    rows = book.db.execute(
        "SELECT c.phones, group_concat(o.amount_minor) FROM customers c"
        " JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY c.id"
    ).fetchall()
    assert [(json.loads(r[0])[0]["e164"], r[1]) for r in rows] == [
        ("+8613800138000", "1000,3000,4000"),
        ("+8613900139000", "2000"),
    ]


def test_gb18030_csv_with_crlf_and_multiline_notes(book, tmp_path):
    text = '客户姓名,电话,备注\r\n李雷,13700001111,"第一行\r\n第二行"\r\n韩梅梅,13700002222,\r\n'
    imported(book, write_csv(tmp_path / "gbk.csv", text, "gb18030"))
    found = customers(book)
    assert list(found) == ["李雷", "韩梅梅"]
    assert found["李雷"]["notes"] == "第一行\n第二行"
    assert found["韩梅梅"]["phones"] == ["+8613700002222"]


def test_utf8_bom_full_width_and_several_phones(book, tmp_path):
    text = "姓名,手机\n\uff2c\uff49\uff4c\uff59  ,１３７００００３３３３ 13700004444\n"
    imported(book, write_csv(tmp_path / "bom.csv", text, "utf-8-sig"))
    (lily,) = customers(book).values()
    assert lily["name"] == "Lily"
    assert lily["phones"] == ["+8613700003333", "+8613700004444"]


def test_dates_and_amounts_every_way(book, tmp_path):
    rows = [
        ("2023-01-01", "¥1,250.50", 125050), ("2023/3/5", "3000元", 300000),
        ("2023年4月18日", "2,000", 200000), ("20230520", "1500.00", 150000),
        ("45000", "1.2万", 1200000),
    ]  # fmt: skip
    text = "客户名称,交易日期,交易金额\n" + "".join(f'甲公司,{d},"{a}"\n' for d, a, _m in rows)
    imported(book, write_csv(tmp_path / "d.csv", text))
    assert [(o[1], o[3]) for o in orders(book)] == [
        ("2023-01-01", 125050), ("2023-03-05", 300000), ("2023-04-18", 200000),
        ("2023-05-20", 150000), ("2023-03-15", 1200000),
    ]  # fmt: skip


def test_google_contacts_export(book, tmp_path):
    header = (
        "Name,Given Name,Additional Name,Family Name,Yomi Name,Birthday,Notes,"
        "Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
        "Phone 2 - Type,Phone 2 - Value,Organization 1 - Name,Organization 1 - Title\n"
    )
    rows = (
        "Alice Zhang,Alice,,Zhang,,1990-07-04,Met at expo,* myContacts ::: VIP,* Work,"
        "alice@blueharbor.com,Mobile,+1 415-555-0134,Work,+86 21 6234 5678,Blue Harbor,CTO\n"
        ",三,,张,,--03-05,,* myContacts,,,Mobile,138 0013 8000,,,,\n"
    )
    imported(book, write_csv(tmp_path / "contacts.csv", header + rows))
    found = customers(book)
    assert list(found) == ["Alice Zhang", "张三"]
    alice = found["Alice Zhang"]
    assert alice["phones"] == ["+14155550134", "+862162345678"]
    assert (alice["company"], alice["title"], alice["birthday"]) == (
        "Blue Harbor",
        "CTO",
        "1990-07-04",
    )
    assert alice["emails"] == ["alice@blueharbor.com"] and alice["notes"] == "Met at expo"
    assert alice["custom_fields"] == {}  # the type columns are noise, not fields
    assert found["张三"]["birthday"] == "--03-05"
    tags = book.db.execute("SELECT name FROM tags").fetchall()
    assert [t[0] for t in tags] == ["VIP"]


def test_outlook_export(book, tmp_path):
    header = (
        "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
        "Business Street,Business City,Business Phone,Mobile Phone,E-mail Address,"
        "E-mail 2 Address,Birthday,Notes,Categories\r\n"
    )
    rows = (
        'Mr.,Wei,,Zhang,,Blue Harbor Ltd,Sales,Sales Director,"88 Century Ave",Shanghai,'
        '+86 21 6234 5678,13800138000,wei.zhang@blueharbor.com,,3/5/1985,"VIP, likes tea",'
        "Customers;VIP\r\n"
        ",Li,,Na,,,,,,,,13900139000,,,0/0/00,,\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "outlook.csv", header + rows))
    found = customers(book)
    assert list(found) == ["Wei Zhang", "Li Na"]
    wei = found["Wei Zhang"]
    assert (wei["title"], wei["company"], wei["city"]) == (
        "Sales Director",
        "Blue Harbor Ltd",
        "Shanghai",
    )
    assert wei["phones"] == ["+862162345678", "+8613800138000"]
    assert (wei["birthday"], wei["address"], wei["notes"]) == (
        "1985-03-05",
        "88 Century Ave",
        "VIP, likes tea",
    )
    assert wei["custom_fields"] == {"Title": "Mr.", "Department": "Sales"}
    assert found["Li Na"]["birthday"] is None
    assert summary.problems == []  # 0/0/00 is Outlook's "no birthday"
    tags = [t[0] for t in book.db.execute("SELECT name FROM tags ORDER BY name")]
    assert tags == ["Customers", "VIP"]


def test_iphone_vcard(book, tmp_path):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:王;小明;;;\r\nFN:王小明\r\n"
        "ORG:深圳星辰科技有限公司;销售部;\r\nTITLE:经理\r\n"
        "TEL;type=CELL;type=VOICE;type=pref:138 0013 8000\r\n"
        "TEL;type=WORK;type=VOICE:0755-2345 6789\r\n"
        "EMAIL;type=INTERNET;type=WORK:xm@xingchen.cn\r\nBDAY:1988-02-29\r\n"
        "NOTE:喜欢喝茶\\n周末不打扰\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN;CHARSET=UTF-8:Bob Lee\r\nBDAY:--0612\r\n"
        "EMAIL:bob@example.com\r\nEMAIL:bob.lee@example.com\r\nEND:VCARD\r\n"
    )
    imported(book, write_csv(tmp_path / "contacts.vcf", card))
    found = customers(book)
    assert list(found) == ["王小明", "Bob Lee"]
    wang = found["王小明"]
    assert wang["phones"] == ["+8613800138000", "+8675523456789"]
    assert (wang["company"], wang["title"], wang["birthday"]) == (
        "深圳星辰科技有限公司",
        "经理",
        "1988-02-29",
    )
    assert wang["custom_fields"] == {"Department": "销售部"}
    assert wang["notes"] == "喜欢喝茶\n周末不打扰"
    assert found["Bob Lee"]["emails"] == ["bob@example.com", "bob.lee@example.com"]
    assert found["Bob Lee"]["birthday"] == "--06-12"


def test_map_overrides_and_a_second_column_of_one_field(book, tmp_path):
    text = "名字,手机号码(必填),城市,城市,客户编号\n赵六,13700005555,杭州,宁波,K-001\n"
    imported(book, write_csv(tmp_path / "m.csv", text), maps=["名字=name", "客户编号=custom.编号"])
    (zhao,) = customers(book).values()
    assert zhao["name"] == "赵六" and zhao["phones"] == ["+8613700005555"]
    assert zhao["city"] == "杭州"
    assert zhao["custom_fields"] == {"城市": "宁波", "编号": "K-001"}


def test_clear_errors_for_files_it_cannot_use(book, tmp_path):
    with pytest.raises(InvalidInput, match="No header row"):
        imported(book, write_csv(tmp_path / "x.csv", "a,b\n1,2\n"))
    with pytest.raises(InvalidInput, match="no sheet “Nope”"):
        imported(book, messy_workbook(tmp_path / "w.xlsx"), sheet="Nope")
    with pytest.raises(InvalidInput, match="not a readable Excel workbook"):
        imported(book, write_csv(tmp_path / "fake.xlsx", "not a zip"))
    with pytest.raises(InvalidInput, match="not a field"):
        parse_overrides(["电话=telephone"])
    with pytest.raises(InvalidInput, match="no such encoding"):
        imported(book, write_csv(tmp_path / "y.csv", "姓名\n张三\n"), encoding="martian")
    (tmp_path / "g.csv").write_bytes("姓名\n".encode("gbk") + b"\xff\n")
    with pytest.raises(InvalidInput, match=r"g\.csv is not gbk: byte 5 cannot be read"):
        imported(book, tmp_path / "g.csv", encoding="gbk")
    (tmp_path / "z.csv").write_bytes(b"\xfe\xff\x00\x00\x00")  # a BOM, then half a character
    with pytest.raises(InvalidInput, match=r"z\.csv is not UTF-16: byte 4 cannot be read"):
        imported(book, tmp_path / "z.csv")


def test_the_rejects_file_reimports_after_a_fix(book, tmp_path):
    path = messy_workbook(tmp_path / "客户.xlsx")
    plan = importer.prepare(path, region="CN", currency="CNY")
    summary = importer.run(book, plan)
    rejects = tmp_path / "rejects.csv"
    assert importer.write_rejects(plan, summary, rejects) == 1
    assert rejects.stat().st_mode & 0o777 == 0o600
    text = rejects.read_text("utf-8-sig")
    assert text.splitlines()[1].endswith("has no name: the row was left out")
    with pytest.raises(InvalidInput, match="exists already"):
        importer.write_rejects(plan, summary, rejects)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text.replace("\n4,,", "\n4,补上的名字,"), "utf-8-sig")
    again = imported(book, fixed)
    assert again.created == 1
    assert [p.reason for p in again.problems] == ["an order needs an amount: kept in the notes"]
    assert "补上的名字" in customers(book)


def test_an_amount_too_large_is_kept_in_the_notes(book, tmp_path):
    """SQLite holds 64-bit integers: a runaway total is a problem, not a crash."""
    text = "客户名称,单价,数量,产品\n甲公司,99999999,999999999,服务器\n"
    summary = imported(book, write_csv(tmp_path / "big.csv", text))
    assert summary.created == 1 and summary.rejected == 0
    assert [p.reason for p in summary.problems] == [
        "no order date column: orders are dated the day of the import",
        "quantity × unit price is too large: kept in the notes",
    ]
    assert orders(book) == [] and "99999999" in customers(book)["甲公司"]["notes"]


def test_an_amount_says_what_is_wrong_with_it(book, tmp_path):
    """A fraction of a fen and a runaway amount are named as such, not as "no amount";
    the value stays in the customer's notes."""
    text = (
        "客户名称,交易日期,交易金额,产品\n"
        "甲公司,2024-03-05,0.005,墨盒\n"
        "乙公司,2024-03-05,20000000000000元,服务器\n"
        "丙公司,2024-03-05,很多,打印机\n"
    )
    summary = imported(book, write_csv(tmp_path / "amounts.csv", text))
    assert summary.created == 3 and summary.orders == 0
    reasons = {p.value: p.reason for p in summary.problems if p.column == "交易金额"}
    assert reasons == {
        "0.005": "has more than 2 decimal places: amounts are exact to 0.01",
        "20000000000000元": "is too large",
        "很多": "is not an amount like 1250.50, ¥1,250.50, 3000元 or 1.2万",
    }
    assert "0.005" in customers(book)["甲公司"]["notes"]
