"""What a first try of the importer as a new user found, each as a test that failed."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from custbook.errors import InvalidInput
from custbook.io import sources
from custbook.io.headers import parse_overrides
from tests.io.test_import import contacts, customers, imported, orders, write_csv

FIXTURES = Path(__file__).parent / "fixtures"


def workbook(path, rows, merges=()):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for cells in merges:
        wb.active.merge_cells(cells)
    wb.save(path)
    return path


def test_totals_and_notes_under_the_table_are_no_customers(book, tmp_path):
    path = workbook(tmp_path / "t.xlsx", [
        ["客户名称", "手机", "成交日期", "成交金额"],
        ["甲公司", "13800138000", "2024-01-02", 20000],
        ["合计", None, None, 20000],
        ["注：以上数据仅供内部使用"],
    ])  # fmt: skip
    summary = imported(book, path)
    assert list(customers(book)) == ["甲公司"]
    assert [r[0] for r in summary.rejected_rows] == [3, 4]


def test_an_unpaid_or_unreadable_status_is_never_paid(book, tmp_path):
    text = (
        "日期,客户名称,金额,付款状态\n2024-01-02,甲,100,未付款\n2024-01-03,乙,200,部分付款\n"
        "2024-01-04,丙,300,赊账\n2024-01-05,丁,400,\n2024-01-06,戊,500,已收款\n"
    )
    summary = imported(book, write_csv(tmp_path / "s.csv", text))
    assert [(o[0], o[5]) for o in orders(book)] == [
        ("甲", "open"), ("乙", "open"), ("丙", "open"), ("丁", "open"), ("戊", "paid"),
    ]  # fmt: skip
    assert [p.value for p in summary.problems] == ["赊账"]


def test_a_short_gbk_file_reads_as_chinese(book, tmp_path):
    text = "Name,Phone,Notes\r\n张伟,13800138000,老客户\r\n李娜,13900139000,新客户\r\n"
    imported(book, write_csv(tmp_path / "gbk.csv", text, "gbk"))
    assert list(customers(book)) == ["张伟", "李娜"]


def test_an_order_without_its_date_is_kept_in_the_notes(book, tmp_path):
    text = "客户名称,日期,金额\n甲,2023/13/45,100\n乙,,200\n"
    summary = imported(book, write_csv(tmp_path / "d.csv", text))
    assert orders(book) == []
    assert "100" in customers(book)["甲"]["notes"] and "200" in customers(book)["乙"]["notes"]
    assert [p.row for p in summary.problems] == [2, 2, 3]


def test_no_date_column_is_said_once(book, tmp_path):
    summary = imported(book, write_csv(tmp_path / "n.csv", "客户名称,金额\n甲,100\n乙,200\n"))
    assert len(orders(book)) == 2
    assert [p.reason for p in summary.problems] == [
        "no order date column: orders are dated the day of the import"
    ]


def test_a_name_merged_down_over_its_orders(book, tmp_path):
    path = workbook(tmp_path / "m.xlsx", [
        ["客户名称", "产品", "金额", "日期"],
        ["上海甲公司", "打印机", 100, "2024-01-01"],
        [None, "墨盒", 20, "2024-01-02"],
        [None, "纸", 5, "2024-01-03"],
    ], merges=["A2:A4"])  # fmt: skip
    summary = imported(book, path)
    assert summary.rejected == 0
    assert [o[:3] for o in orders(book)] == [
        ("上海甲公司", "2024-01-01", "打印机"), ("上海甲公司", "2024-01-02", "墨盒"),
        ("上海甲公司", "2024-01-03", "纸"),
    ]  # fmt: skip


def test_amount_headers_with_a_unit(book, tmp_path):
    text = '客户名称,日期,金额（元）\n甲,2024-01-01,"1,250.50"\n乙,2024-01-01,3000元\n'
    imported(book, write_csv(tmp_path / "y.csv", text))
    text = "客户名称,日期,成交金额(万元)\n丙,2024-01-01,1.2\n"
    imported(book, write_csv(tmp_path / "w.csv", text))
    assert [(o[0], o[3]) for o in orders(book)] == [("甲", 125050), ("乙", 300000), ("丙", 1200000)]


def test_a_cell_too_long_for_the_book_rejects_its_row_whole(book, tmp_path):
    text = f"客户名称,备注\n甲,{'很长' * 6000}\n乙,短\n"
    summary = imported(book, write_csv(tmp_path / "l.csv", text))
    assert list(customers(book)) == ["乙"]
    ((number, row, reason),) = summary.rejected_rows
    assert number == 2 and row[1] == "很长" * 6000 and "10,000" in reason


def test_one_company_with_two_contact_people(book, tmp_path):
    text = "客户名称,联系人,手机\n上海华峰贸易有限公司,张伟,13800138000\n上海华峰贸易有限公司,李秘书,13900001111\n"
    imported(book, write_csv(tmp_path / "c.csv", text))
    assert list(customers(book)) == ["上海华峰贸易有限公司"]
    assert [c[1] for c in contacts(book)] == ["张伟", "李秘书"]


def test_google_values_separated_by_three_colons(book, tmp_path):
    text = (
        "Name,Phone 1 - Value,E-mail 1 - Value\n"
        "Amy,+1 415-555-0100 ::: +1 415-555-0101,a@example.com ::: b@example.com\n"
    )
    summary = imported(book, write_csv(tmp_path / "g.csv", text))
    (amy,) = customers(book).values()
    assert amy["phones"] == ["+14155550100", "+14155550101"]
    assert amy["emails"] == ["a@example.com", "b@example.com"] and summary.problems == []


def test_map_mistakes_are_named(book, tmp_path):
    path = write_csv(tmp_path / "a.csv", "客户名称,手机\n甲,13800138000\n")
    with pytest.raises(InvalidInput, match="手機"):
        imported(book, path, maps=["手機=phones"])
    with pytest.raises(InvalidInput, match="not a field"):
        parse_overrides(["手机=custom."])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "not a readable"),
        ("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "name it .xls"),
        ("empty.csv", b"", "is empty"),
        ("notes.docx", b"PK\x03\x04word/document.xml", "not a spreadsheet"),
    ],
)
def test_files_that_are_no_spreadsheet(book, tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InvalidInput, match=message):
        imported(book, tmp_path / name)


def test_words_beside_a_phone_stay_with_it_and_notes_keep_their_punctuation(book, tmp_path):
    text = "客户名称,手机,备注\n甲,13800000004（周总）,周一到周五，上午：九点后\n"
    imported(book, write_csv(tmp_path / "p.csv", text))
    (one,) = customers(book).values()
    assert one["phones"] == ["+8613800000004"]
    assert one["notes"] == "周一到周五，上午：九点后"
    typed = book.db.execute("SELECT json_extract(phones, '$[0].typed') FROM customers").fetchone()
    assert typed[0] == "13800000004（周总）"


def test_outlook_defaults_are_no_custom_fields(book, tmp_path):
    text = (
        "First Name,Last Name,Mobile Phone,Sensitivity,Priority,Private,Gender,Anniversary\n"
        "Wei,Zhang,13800138000,Normal,Normal,False,Unspecified,0/0/00\n"
    )
    imported(book, write_csv(tmp_path / "o.csv", text))
    assert customers(book)["Wei Zhang"]["custom_fields"] == {}


# What a review of the calamine reader found.


def test_a_cell_calamine_cannot_turn_into_python_does_not_stop_the_file(book, tmp_path):
    wb = Workbook()
    wb.active.append(["客户名称", "电话", "通话时长"])
    wb.active.append(["甲公司", "13912345678", 13912345678])
    wb.active["C2"].number_format = "[h]:mm:ss"  # a duration of 1.6 million years
    wb.save(tmp_path / "d.xlsx")
    summary = imported(book, tmp_path / "d.xlsx")
    assert list(customers(book)) == ["甲公司"] and summary.created == 1


def test_chart_sheets_are_passed_over_and_a_damaged_sheet_is_named(tmp_path):
    wb = Workbook()
    wb.active.title = "客户"
    wb.active.append(["客户名称", "电话"])
    wb.create_chartsheet("图表")
    wb.save(tmp_path / "c.xlsx")
    assert [s.name for s in sources.read(tmp_path / "c.xlsx")] == ["客户"]

    damaged = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(tmp_path / "c.xlsx") as whole, zipfile.ZipFile(damaged, "w") as out:
        for item in whole.infolist():
            data = whole.read(item)
            out.writestr(
                item, data[: len(data) // 2] if "worksheets/sheet1" in item.filename else data
            )
    with pytest.raises(InvalidInput, match="客户"):
        sources.read(damaged)


def test_an_old_excel_workbook(book, tmp_path):
    """Excel 97-2003 (.xls, made by xlwt): a merged title, a date cell, a number phone."""
    summary = imported(book, FIXTURES / "客户名录2019.xls")
    assert (summary.created, summary.contacts, summary.orders) == (2, 2, 2)
    assert contacts(book) == [
        ("上海华联贸易有限公司", "王芳", ["+8613912345678"]),
        ("北京星辰科技", "李强", ["+8613800138000"]),
    ]
    assert [o[:4] for o in orders(book)] == [
        ("上海华联贸易有限公司", "2019-03-05", None, 1250050),
        ("北京星辰科技", "2019-11-20", None, 300000),
    ]


def test_a_conflict_is_reported_under_the_files_column_and_row(book, tmp_path):
    book.customers.create({"name": "王芳", "city": "上海", "phones": ["13911112222"]}, source="t")
    text = "姓名,手机,所在城市\n王芳,13911112222,北京\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(2, "所在城市", "北京")]


def test_two_rows_of_one_customer_that_disagree_are_reported(book, tmp_path):
    text = (
        "客户名称,电话,城市,日期,金额\n"
        "甲公司,13800138000,上海,2024-01-02,100\n甲公司,13800138000,杭州,2024-02-03,200\n"
    )
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    jia = customers(book)["甲公司"]
    assert jia["city"] == "上海" and "“杭州”" in jia["notes"]
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(3, "城市", "杭州")]
    assert "上海" in summary.problems[0].reason


def test_a_contact_that_differs_from_the_books_is_kept_in_the_notes_and_reported(book, tmp_path):
    made = book.customers.create({"name": "甲公司"}, source="t")
    book.customers.add_contact(made.id, {"name": "李四", "title": "经理"}, source="t")
    text = "客户名称,联系人,职位,电话\n甲公司,李四,总监,13800138000\n"  # 李四's title and phone
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert contacts(book) == [("甲公司", "李四", ["+8613800138000"])]  # its phone is added
    assert [r[0] for r in book.db.execute("SELECT title FROM contacts")] == ["经理"]
    notes = customers(book)["甲公司"]["notes"]
    assert "李四" in notes and "“总监”" in notes and "“经理”" in notes
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(2, "职位", "总监")]
    assert "李四" in summary.problems[0].reason
    again = imported(book, write_csv(tmp_path / "a.csv", text))
    assert customers(book)["甲公司"]["notes"] == notes  # the note is not written twice
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_vcard_loses_no_field_it_has(book, tmp_path):
    """The postal code stays in the address, a custom phone label with its number, and
    properties custbook has no field for (nickname, IM, anniversary) become custom
    fields; a photo, an id and the card's version are no customer data."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
        "N:陈;静;;;\r\nFN:陈静\r\nNICKNAME:静姐\r\n"
        "item1.TEL:138 0013 8000\r\nitem1.X-ABLabel:工厂\r\n"
        "item2.TEL:139 0013 9000\r\nitem2.X-ABLabel:_$!<Mobile>!$_\r\n"
        "item3.ADR;type=WORK:;;科技园南路1号;深圳市;广东省;518057;中国\r\n"
        "item4.X-ABDATE;type=pref:2015-06-01\r\nitem4.X-ABLabel:_$!<Anniversary>!$_\r\n"
        "IMPP;X-SERVICE-TYPE=WeChat:x-apple:chenjing88\r\n"
        "UID:4f0c3a\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAA=\r\n"
        "END:VCARD\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "c.vcf", card))
    chen = customers(book)["陈静"]
    assert "518057" in chen["address"] and "科技园南路1号" in chen["address"]
    typed = [p["typed"] for p in json.loads(
        book.db.execute("SELECT phones FROM customers").fetchone()[0]
    )]  # fmt: skip
    assert typed == ["138 0013 8000 (工厂)", "139 0013 9000"]
    assert chen["custom_fields"] == {
        "Nickname": "静姐", "Dates": "2015-06-01 (Anniversary)", "IM": "x-apple:chenjing88",
    }  # fmt: skip
    assert summary.problems == []


def test_a_vcard_keeps_the_labels_its_owner_gave_addresses_websites_and_emails(book, tmp_path):
    """A label typed on the phone (仓库, 博客) stays with its address and website, as
    with a phone number; an email's goes to a field of its own, the Email column holding
    addresses alone. Apple's own labels (Work) and TYPE say nothing the field does not."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:陈静\r\n"
        "item1.EMAIL;type=INTERNET:chen@factory.example.com\r\nitem1.X-ABLabel:工厂\r\n"
        "item2.EMAIL;type=INTERNET:chen@example.com\r\nitem2.X-ABLabel:_$!<Work>!$_\r\n"
        "EMAIL;type=INTERNET;type=HOME:chen@home.example.com\r\n"
        "item3.ADR:;;科技园南路1号;深圳市;广东省;518057;中国\r\nitem3.X-ABLabel:仓库\r\n"
        "ADR;type=HOME:;;人民路2号;上海市;;;\r\n"
        "item4.URL:https://chen.example.com\r\nitem4.X-ABLabel:博客 (个人)\r\n"
        "END:VCARD\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "c.vcf", card))
    chen = customers(book)["陈静"]
    assert chen["address"] == "中国 广东省 深圳市 科技园南路1号 518057 (仓库); 上海市 人民路2号"
    assert chen["website"] == "https://chen.example.com (博客 个人)"
    assert chen["emails"] == [
        "chen@factory.example.com", "chen@example.com", "chen@home.example.com",
    ]  # fmt: skip
    assert chen["custom_fields"] == {"Email_labels": "chen@factory.example.com (工厂)"}
    assert summary.problems == []


def test_a_damaged_photo_does_not_stop_a_vcard_file(book, tmp_path):
    """Pictures are never read: one a phone wrote badly (base64 without its padding)
    stopped the whole file."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:陈静\r\nTEL:138 0013 8000\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n /9j/4AAQSk\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bob Lee\r\n"
        "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQ\r\n  AAAQABAAD\r\nAAAQ+/AB\r\n\r\n"
        "TEL;CELL:139 0013 9000\r\nEND:VCARD\r\n"
    )
    imported(book, write_csv(tmp_path / "c.vcf", card))
    assert list(customers(book)) == ["陈静", "Bob Lee"]
    assert customers(book)["Bob Lee"]["phones"] == ["+8613900139000"]


def test_a_row_linking_two_customers_makes_them_one_and_a_dry_run_changes_no_plan(book, tmp_path):
    """Row 4 holds both of 甲's phones: the rows are one customer. The app's dry run and
    the import after it run the same plan: nothing may be written twice."""
    from custbook.io import importer

    text = (
        "客户名称,电话,城市,日期,金额\n甲,13800138001,上海,2024-01-01,100\n"
        "甲,13800138002,杭州,2024-01-02,200\n甲,13800138001;13800138002,,2024-01-03,300\n"
    )
    plan = importer.prepare(write_csv(tmp_path / "a.csv", text), region="CN", currency="CNY")
    assert len(plan.incoming) == 1
    dry = importer.run(book, plan, dry_run=True)
    real = importer.run(book, plan)
    assert dry.counts() == real.counts() == (1, 0, 0, 0, 3)
    assert [(p.row, p.column, p.value) for p in real.problems] == [(3, "城市", "杭州")]
    assert sorted(o[3] for o in orders(book)) == [10000, 20000, 30000]


def test_a_linking_row_two_thousand_rows_later_loses_nothing(book, tmp_path):
    lines = ["客户名称,电话,城市,日期,金额", "甲,13800138001,上海,2024-01-01,100"]
    lines += [f"客户{i},139{i:08d},,2024-01-01,1" for i in range(2000)]  # past a batch
    lines += ["甲,13800138002,杭州,2024-01-02,200", "甲,13800138001;13800138002,,2024-01-03,300"]
    summary = imported(book, write_csv(tmp_path / "a.csv", "\n".join(lines) + "\n"))
    assert summary.created == 2001
    jia = customers(book)["甲"]
    assert sorted(o[3] for o in orders(book) if o[0] == "甲") == [10000, 20000, 30000]
    assert jia["phones"] == ["+8613800138001", "+8613800138002"] and "“杭州”" in jia["notes"]


def test_a_contacts_conflict_is_reported_on_the_row_naming_that_person(book, tmp_path):
    made = book.customers.create({"name": "甲公司"}, source="t")
    book.customers.add_contact(made.id, {"name": "李四", "title": "经理"}, source="t")
    text = "客户名称,联系人,职位\n甲公司,张三,主管\n甲公司,李四,总监\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(3, "职位", "总监")]


def test_a_later_row_is_measured_against_what_the_book_keeps(book, tmp_path):
    book.customers.create({"name": "王芳", "city": "北京", "phones": ["13911112222"]}, source="t")
    text = "姓名,手机,城市\n王芳,13911112222,上海\n王芳,13911112222,北京\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert [(p.row, p.value) for p in summary.problems] == [(2, "上海")]  # 北京 agrees
    wang = customers(book)["王芳"]
    assert (
        wang["city"] == "北京" and wang["notes"] == "Imported City: “上海” (the book keeps “北京”)"
    )


def test_spacing_alone_is_no_conflict(book, tmp_path):
    text = "客户名称,电话,城市\n张 伟,13800138000,上海 浦东\n张  伟,13800138000,上海  浦东\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert summary.created == 1 and summary.problems == []
    assert customers(book)["张 伟"]["notes"] is None


def test_a_customer_rolled_back_leaves_only_why(book, tmp_path):
    book.customers.create(
        {"name": "王芳", "city": "北京", "phones": ["13911112222"], "notes": "x" * 9990},
        source="t",
    )
    text = "姓名,手机,城市\n王芳,13911112222,上海\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert summary.rejected == 1
    assert [p.reason.startswith("Nothing was saved") for p in summary.problems] == [True]


def test_a_vcard_keeps_commas_pictures_in_base64_and_odd_labels_stop_nothing(book, tmp_path):
    """vobject kept a text value up to its first comma (vCard 2.1 never escapes them);
    Outlook's card picture is base64 under another name; a label may hold what splits
    a phone cell; a group's case may differ between its lines."""
    picture = "X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:\r\n /9j/4AAQSkZJRgABAQEAYABgAAD\r\n"
    cards = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Lee, Bob\r\nNOTE:老客户,每月订货\r\n"
        f"X-QQ:123,456\r\n{picture}\r\nX-MS-OL-DESIGN;CHARSET=utf-8:<card/>\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:陈静\r\nNICKNAME:静姐\\,小陈\r\n"
        "item1.TEL:138 0013 8000\r\nITEM1.X-ABLabel:工厂/仓库\r\n"
        "item2.TEL:139 0013 9000\r\nitem2.X-ABLabel:白天\\, 周一至周五 (夜班)\r\n"
        "item3.TEL:\r\nitem3.X-ABLabel:空\r\nEND:VCARD\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "c.vcf", cards))
    found = customers(book)
    assert list(found) == ["Lee, Bob", "陈静"] and summary.problems == []
    bob = found["Lee, Bob"]
    assert bob["notes"] == "老客户,每月订货" and bob["custom_fields"] == {"X_QQ": "123,456"}
    chen = found["陈静"]
    assert chen["custom_fields"] == {"Nickname": "静姐,小陈"}
    (phones,) = book.db.execute("SELECT phones FROM customers WHERE name = '陈静'").fetchone()
    assert [p["typed"] for p in json.loads(phones)] == [
        "138 0013 8000 (工厂 仓库)", "139 0013 9000 (白天 周一至周五 夜班)",
    ]  # fmt: skip


def test_a_contact_column_that_is_the_customer_loses_nothing(book, tmp_path):
    """联系人 is the customer (or empty): its columns are the customer's own; a value
    that differs from the customer's column is kept in the notes, phones are added."""
    text = (
        "客户名称,联系人,微信,联系人微信,联系人电话,电话,联系人生日\n"
        "张伟,张伟,zw1,zw2,13900139000,13800138000,1990-01-01\n"
        "李娜,,ln1,ln1,,13700137000,\n"
    )
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    found = customers(book)
    zhang = found["张伟"]
    assert zhang["wechat"] == "zw1" and "“zw2”" in zhang["notes"]
    assert zhang["phones"] == ["+8613800138000", "+8613900139000"]
    assert zhang["birthday"] == "1990-01-01"
    assert found["李娜"]["notes"] is None  # the same WeChat twice is no conflict
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(2, "联系人微信", "zw2")]
    assert contacts(book) == []


def test_a_vcards_printed_address_is_read_when_it_has_no_other(book, tmp_path):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:陈静\r\nLABEL;TYPE=WORK:深圳市南山区科技园南路1号\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Lee\r\n"
        "ADR:;;1 Main St;Springfield;;12345;USA\r\nLABEL:1 Main St\\nSpringfield\r\nEND:VCARD\r\n"
    )
    imported(book, write_csv(tmp_path / "c.vcf", card))
    found = customers(book)
    assert found["陈静"]["address"] == "深圳市南山区科技园南路1号"
    assert found["Bob Lee"]["address"] == "USA Springfield 1 Main St 12345"


def test_customers_linked_later_are_made_again_in_the_files_order(book, tmp_path):
    text = (
        "客户名称,电话,地址\n张伟,13800000001,\n张伟,13800000002,上海\n"
        "张伟,13800000001 13800000002,北京\n"
    )
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    zhang = customers(book)["张伟"]
    assert zhang["address"] == "上海"  # row 3 came before row 4
    assert [(p.row, p.column, p.value) for p in summary.problems] == [(4, "地址", "北京")]


def test_thousands_of_rows_of_one_name_are_told_apart_by_their_phones(book, tmp_path):
    lines = ["姓名,手机"] + [f"张伟,139{i:08d}" for i in range(1500)]
    lines += ["张伟,13900000000;13900000001", "张伟,13900000002;13900000003"]  # two links
    summary = imported(book, write_csv(tmp_path / "a.csv", "\n".join(lines) + "\n"))
    assert summary.created == 1498


def test_a_custbook_id_finds_that_customer_among_others_of_its_name(book, tmp_path):
    book.customers.create({"name": "张伟", "city": "北京"}, source="t")
    other = book.customers.create({"name": "张伟", "city": "上海"}, source="t")
    text = f"custbook ID,客户名称,城市,产品,金额,交易日期\n{other.id},张伟,上海,P,10,2024-01-01\n"
    summary = imported(book, write_csv(tmp_path / "a.csv", text))
    assert (summary.updated, summary.problems) == (1, [])
    assert [o[0:3] for o in orders(book)] == [("张伟", "2024-01-01", "P")]
    assert book.db.execute("SELECT customer_id FROM orders").fetchone()[0] == other.id


def test_a_book_customer_without_phones_still_takes_a_row_with_one(book, tmp_path):
    made = book.customers.create({"name": "王芳"}, source="t")
    summary = imported(book, write_csv(tmp_path / "a.csv", "姓名,手机\n王芳,13911112222\n"))
    assert (summary.created, summary.updated) == (0, 1)
    assert customers(book)["王芳"]["id"] == made.id


def test_base64_in_the_text_of_a_folded_note_is_kept(book, tmp_path):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nNOTE:sends logos inline (image/png\r\n"
        " ; base64: iVBORw0KGgo) ask for the file\r\nEND:VCARD\r\n"
    )
    imported(book, write_csv(tmp_path / "c.vcf", card))
    assert customers(book)["张伟"]["notes"] == (
        "sends logos inline (image/png; base64: iVBORw0KGgo) ask for the file"
    )


def test_a_value_repeated_down_a_column_is_read_and_reported_for_every_row(book, tmp_path):
    """Cells read once per value (a directory repeats its cities and dates): a bad value
    is still a problem and a note on each row that has it, and equal cells of different
    types read as their own type says (True is yes, 1 and 1.0 are 1)."""
    path = workbook(tmp_path / "r.xlsx", [
        ["客户名称", "城市", "交易日期", "交易金额", "客户等级", "是否VIP"],
        ["甲", "上海", "不是日期", "100", "A", True],
        ["乙", "上海", "不是日期", "100", "A", 1],
        ["丙", "上海", "2024-01-02", "100", "Z", "1"],
        ["丁", "上海", "2024-01-02", 100, "Z", 1.0],
    ])  # fmt: skip
    summary = imported(book, path)
    found = customers(book)
    assert [found[n]["city"] for n in "甲乙丙丁"] == ["上海"] * 4
    bad_date = ("交易日期", "不是日期", "is not a date like 2024-03-05")
    assert [(p.row, p.column, p.value, p.reason) for p in summary.problems if p.column] == [
        (2, *bad_date), (3, *bad_date), (4, "客户等级", "Z", "must be A, B or C"),
        (5, "客户等级", "Z", "must be A, B or C"),
    ]  # fmt: skip
    assert [found[n]["notes"].count("不是日期") for n in "甲乙丙丁"] == [2, 2, 0, 0]
    assert found["甲"]["notes"].splitlines()[1] == (
        "Imported order, not kept as one (an order needs its date): 交易日期 不是日期; 交易金额 100"
    )  # why: it has an amount
    assert [found[n]["notes"].count("“Z”") for n in "甲乙丙丁"] == [0, 0, 1, 1]
    assert [(o[0], o[1], o[3]) for o in orders(book)] == [
        ("丙", "2024-01-02", 10000), ("丁", "2024-01-02", 10000),
    ]  # fmt: skip
    assert [found[n]["custom_fields"] for n in "甲乙丙丁"] == [
        {"是否VIP": "yes"}, {"是否VIP": "1"}, {"是否VIP": "1"}, {"是否VIP": "1"},
    ]  # fmt: skip


def b64(value: str | bytes, charset: str = "utf-8") -> str:
    """A vCard value in base64: text in `charset`, or bytes as they are."""
    data = value.encode(charset) if isinstance(value, str) else value
    return base64.b64encode(data).decode()


def test_a_text_value_in_base64_is_read_not_dropped(book, tmp_path):
    """A card may carry a text value in base64 (a name, a note): it is decoded in its
    CHARSET, else as UTF-8, else as GB18030 (a charset Python does not know, like
    x-gbk, or none for GBK bytes), padding or not, and imported like any other value.
    A binary value (NULs, whatever its charset) or one that is no base64 is left out
    like a picture: never stored as base64 text, never as a customer's name."""
    note = b64("老客户,喜欢龙井;\n每月初订货")
    binary = b64(b"bplist00\xd4\x01\x02\x00\x00")
    cards = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b;CHARSET=GB18030:{b64('王建国', 'gb18030')}\r\n"
        f"TEL:138 0013 8000\r\nNOTE;ENCODING=b:{note[:20]}\r\n {note[20:]}\r\n"
        f"ORG;ENCODING=b:{b64('Acme, Inc.;Sales')}\r\n"
        f"X-ADDRESSING-GRAMMAR;ENCODING=b:{binary}\r\n"
        f"X-BLOB;ENCODING=b;CHARSET=ISO-8859-1:{binary}\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAA=\r\nEND:VCARD\r\n"
        f"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=x-gbk;ENCODING=BASE64:{b64('李娜', 'gbk')}\r\n"
        f"TITLE;ENCODING=BASE64:{b64('Buyer').rstrip('=')}\r\n"
        f"X-NICK;BASE64:{b64('娜姐', 'gbk')}\r\n"
        "NOTE;ENCODING=BASE64:cQ==\r\nTEL;CELL;13800138000\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b:not base64!\r\nTEL:139 0013 9000\r\nEND:VCARD\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "c.vcf", cards))
    found = customers(book)
    assert list(found) == ["王建国", "李娜"]
    assert [p.reason for p in summary.problems] == ["has no name: the row was left out"]
    wang, li = found["王建国"], found["李娜"]
    assert wang["notes"] == "老客户,喜欢龙井;\n每月初订货"
    assert wang["phones"] == ["+8613800138000"] and wang["company"] == "Acme, Inc."
    assert wang["custom_fields"] == {"Department": "Sales"}
    assert li["title"] == "Buyer" and li["custom_fields"] == {"X_NICK": "娜姐"}
    assert li["notes"] == "q\nTEL;CELL;13800138000"  # a line that is no property is kept


def test_odd_base64_values_and_lines_that_are_no_property(book, tmp_path, capfd):
    """A quoted ENCODING; UTF-16 without a byte-order mark (big-endian); Latin-1 that
    is Windows-1252 (curly quotes); a C string's closing NUL; Word's vertical tab; an
    iCloud blob under a name of its own. A note's second line written unfolded is kept
    as its second line, and nothing of the card is printed (vobject printed the lines
    it could not read, a customer's data, to stderr)."""
    name, title = b64("王建国".encode()), b64("Buyer".encode("utf-16-be"))
    note, quoted = b64("重要备注".encode() + b"\x00"), b64(b"\x93Bob\x94")
    tabbed = b64(b"Sales\x0bEast")
    cards = (
        f'BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING="b":{name}\r\n'
        f"TITLE;ENCODING=b;CHARSET=UTF-16:{title}\r\nNOTE;ENCODING=b:{note}\r\n"
        "X-ADDRESSING-GRAMMAR;type=pref:nk4spnSLebY1Z7hrtGsE+SiKxtfLA9NCl1ppo\r\n"
        " ++yLQXRdTzQ1rMPcvZSSz8zcfqqEZ7obWbUmqx3AwTv9El8\r\nEND:VCARD\r\n"
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b;CHARSET=ISO-8859-1:{quoted}\r\n"
        f"TITLE;ENCODING=b:{tabbed}\r\n"
        "NOTE:每月初订货\r\n张伟 13800138000 负责对接\r\n备注:周一送货\r\nTEL:139 0013 9000\r\n"
        "END:VCARD\r\n"
    )
    summary = imported(book, write_csv(tmp_path / "c.vcf", cards))
    found = customers(book)
    assert list(found) == ["王建国", "“Bob”"] and summary.problems == []
    wang, bob = found["王建国"], found["“Bob”"]
    assert (wang["title"], wang["notes"], wang["custom_fields"]) == ("Buyer", "重要备注", {})
    assert bob["title"] == "Sales\nEast"
    assert bob["notes"] == "每月初订货\n张伟 13800138000 负责对接\n备注:周一送货"
    assert bob["phones"] == ["+8613900139000"]
    out, err = capfd.readouterr()
    assert "张伟" not in out + err and "13800138000" not in out + err
