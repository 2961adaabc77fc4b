"""Which field each column of a spreadsheet holds: Chinese and English header synonyms,
the header row found below title rows, and `--map` overrides.

A column no synonym names becomes a custom field of the customer (its header is the
field's name): nothing a salesperson typed is dropped. Only columns that are known
noise of contact exports ("Phone 1 - Type", "Yomi Name") are skipped, and a column
with no value in any row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from custbook.book.validation import field_label
from custbook.errors import InvalidInput
from custbook.i18n import _

SKIP = "skip"
CUSTOM = "custom."
# The fields a column can fill. Person fields go to the contact when the row names one.
CUSTOMER_FIELDS = (
    "name", "company", "kind", "industry", "province", "city", "country", "address",
    "website", "source", "stage", "grade", "notes", "tags", "satisfaction", "preferences",
    "special_needs", "do_not_contact", "consent_date",
)  # fmt: skip
PERSON_FIELDS = ("title", "phones", "emails", "wechat", "birthday")
NAME_PARTS = ("family_name", "given_name", "middle_name")
CONTACT = "contact"
# A contact person's own columns (custbook's export writes them): with these, the plain
# person columns stay the customer's.
CONTACT_FIELDS = {f"contact_{name}": name for name in (*PERSON_FIELDS, "notes")}
REF = "ref"  # custbook's id of the customer in an export: rows with one id are one customer
ORDER_FIELDS = (
    "ordered_on", "product", "quantity", "unit_price", "amount", "currency", "status",
    "payment_due", "paid_on",
)  # fmt: skip
FIELDS = (
    *CUSTOMER_FIELDS, *PERSON_FIELDS, *NAME_PARTS, CONTACT, *CONTACT_FIELDS, *ORDER_FIELDS,
    "order_notes", REF,
)  # fmt: skip
LIST_FIELDS = frozenset({"phones", "emails", "tags", "notes", "contact_phones", "contact_emails"})

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "客户名称", "客户姓名", "客户名", "客户", "姓名", "名称", "名字", "客户全称",
        "name", "fullname", "customer", "customername", "displayname", "formattedname",
    ),
    "company": (
        "公司", "公司名称", "单位", "单位名称", "企业", "企业名称", "工作单位", "所属公司",
        "company", "organization", "organisation", "organization1name", "organizationname",
    ),
    "contact": (
        "联系人", "联系人姓名", "对接人", "负责人", "contact", "contactname", "contactperson",
    ),
    "kind": ("客户类型", "类型", "kind", "type", "customertype"),
    "title": (
        "职位", "职务", "头衔", "岗位", "title", "jobtitle", "position", "organization1title",
        "organizationtitle",
    ),
    "phones": (
        "联系方式", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "座机",
        "固话", "办公电话", "phone", "mobile", "mobilephone", "telephone", "tel", "cell",
        "businessphone", "homephone", "primaryphone", "companymainphone", "otherphone",
        "phone1value", "phone2value", "phone3value", "business phone2", "businessphone2",
        "homephone2",
    ),
    "emails": (
        "电子邮件", "电子邮箱", "邮箱", "邮件", "email", "emailaddress", "e-mail",
        "email1value", "email2value", "email3value", "email2address", "email3address",
    ),
    "wechat": ("微信", "微信号", "wechat", "weixin", "wechatid"),
    "address": (
        "地址", "详细地址", "联系地址", "通讯地址", "公司地址", "收货地址", "address",
        "address1formatted", "businessaddress", "homeaddress", "street", "businessstreet",
        "homestreet", "address1street",
    ),
    "industry": ("行业", "所属行业", "行业类别", "industry"),
    "province": ("省份", "省", "地区", "区域", "所在地区", "province", "state", "region",
                 "address1region", "businessstate", "homestate"),
    "city": ("城市", "市", "所在城市", "city", "businesscity", "homecity", "address1city"),
    "country": ("国家", "country", "countryregion", "businesscountryregion", "address1country",
                "homecountryregion"),
    "website": ("网站", "网址", "主页", "website", "webpage", "url", "website1value"),
    "source": ("来源", "客户来源", "source", "leadsource"),
    "stage": ("客户阶段", "阶段", "客户状态", "stage", "lifecyclestage"),
    "grade": ("客户等级", "等级", "级别", "客户级别", "客户分级", "grade", "level", "rating"),
    "notes": ("备注", "说明", "备注信息", "描述", "notes", "note", "comments", "description"),
    "tags": (
        "标签", "分组", "分类", "客户分类", "tags", "tag", "groupmembership", "labels",
        "categories", "group",
    ),
    "birthday": ("生日", "出生日期", "出生年月", "birthday", "birthdate", "dateofbirth"),
    "satisfaction": ("满意度", "satisfaction"),
    "preferences": ("偏好", "喜好", "兴趣偏好", "preferences"),
    "special_needs": ("特殊需求", "特别需求", "个性化需求", "specialneeds"),
    "given_name": ("名", "firstname", "givenname"),
    "family_name": ("姓", "lastname", "familyname", "surname"),
    "middle_name": ("middlename", "additionalname"),
    "ordered_on": (
        "交易日期", "日期", "订单日期", "下单日期", "购买日期", "成交日期", "销售日期",
        "date", "orderdate", "purchasedate",
    ),
    "product": ("产品", "产品名称", "商品", "商品名称", "购买产品", "品名", "product", "item"),
    "quantity": ("数量", "购买数量", "quantity", "qty"),
    "unit_price": ("单价", "unitprice", "price"),
    "amount": (
        "交易金额", "金额", "订单金额", "成交金额", "销售金额", "总价", "合计", "总金额",
        "amount", "total", "ordertotal",
    ),
    "currency": ("币种", "货币", "currency"),
    "status": ("订单状态", "付款状态", "orderstatus", "paymentstatus"),
    "order_notes": ("订单备注", "ordernotes"),
    REF: ("custbookid", "custbook编号"),
    "contact_title": ("联系人职位", "联系人职务", "contacttitle"),
    "contact_phones": ("联系人电话", "联系人手机", "contactphone", "contactphones"),
    "contact_emails": ("联系人邮箱", "联系人电子邮件", "contactemail", "contactemails"),
    "contact_wechat": ("联系人微信", "contactwechat"),
    "contact_birthday": ("联系人生日", "contactbirthday"),
    "contact_notes": ("联系人备注", "contactnotes"),
    "do_not_contact": ("请勿联系", "donotcontact"),
    "consent_date": ("同意日期", "consentdate"),
    "payment_due": ("应付日期", "付款期限", "到期日", "账期", "paymentdue", "duedate"),
    "paid_on": ("付款日期", "收款日期", "回款日期", "paidon", "paymentdate"),
    SKIP: (
        "序号", "#", "importproblem", "导入问题", "phone1type", "phone2type", "phone3type",
        "phone1label", "phone2label", "phone3label", "email1type", "email2type", "email3type",
        "email1label", "email2label", "email3label", "address1type", "address1label",
        "website1type", "website1label", "yominame", "givennameyomi", "familynameyomi",
        "additionalnameyomi", "phoneticfirstname", "phoneticlastname", "phoneticmiddlename",
        "emaildisplayname", "email2displayname", "email3displayname", "emailtype",
        "email2type", "email3type", "sensitivity", "priority", "private", "gender",
    ),
}  # fmt: skip
_NOT_WORD = re.compile(r"[\W_]+")
_HEADER_ROWS = 50  # title and instruction rows above the header, at most


def normal_header(header: object) -> str:
    """The form headers are compared in: NFKC, case folded, without spaces, punctuation
    and a trailing "(必填)" or "*"."""
    text = unicodedata.normalize("NFKC", str(header or "")).casefold()
    text = _UNIT.sub("", re.sub(r"\((必填|选填|可选|optional|required)\)", "", text))
    return _NOT_WORD.sub("", text) or text.strip()


# A unit after a header: 金额（元）, 金额(万元), Amount (RMB). 万 scales the column's amounts.
_UNIT = re.compile(r"\s*\((元|人民币|rmb|cny|¥|yuan|万元|万)\)\s*$")


def scale_of(header: str) -> str:
    """ "万" when the header says its amounts are in 万 (ten thousands), else ""."""
    match = _UNIT.search(unicodedata.normalize("NFKC", header).casefold())
    return "万" if match and match[1].startswith("万") else ""


_FIELD_OF = {normal_header(w): field for field, words in _SYNONYMS.items() for w in words}


def field_for(header: object) -> str | None:
    """The field a header names, or None."""
    return _FIELD_OF.get(normal_header(header))


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str  # one of FIELDS, SKIP, or custom.<name>
    scale: str = ""  # "万" for amounts the header says are in 万

    def label(self) -> str:
        if self.field == SKIP:
            return _("(skipped)")
        if self.field.startswith(CUSTOM):
            return _("custom field “{name}”").format(name=self.field.removeprefix(CUSTOM))
        return field_label(self.field)


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """`--map "列名=field"` pairs, by normal header; the field checked."""
    found: dict[str, str] = {}
    for pair in pairs:
        header, sep, target = pair.partition("=")
        target = target.strip()
        if not sep or not header.strip() or not target:
            raise InvalidInput(
                _("--map “{pair}”: write it as COLUMN=FIELD, e.g. 手机号码=phones").format(
                    pair=pair
                )
            )
        if target == CUSTOM or (
            target not in FIELDS and target != SKIP and not target.startswith(CUSTOM)
        ):
            raise InvalidInput(
                _("--map “{pair}”: “{field}” is not a field; fields: {fields}").format(
                    pair=pair, field=target, fields=", ".join((*FIELDS, SKIP, "custom.NAME"))
                )
            )
        found[normal_header(header)] = target
    return found


def check_overrides(overrides: dict[str, str], header_cells: Sequence[object]) -> None:
    """Every --map names a column the header has (a typo would be ignored otherwise)."""
    present = {normal_header(c) for c in header_cells if c is not None}
    missing = [key for key in overrides if key not in present]
    if missing:
        shown = ", ".join(str(c) for c in header_cells if c not in (None, ""))
        raise InvalidInput(
            _(
                "--map names a column the file does not have ({missing}); its columns are: "
                "{columns}"
            ).format(missing=", ".join(missing), columns=shown)
        )


def find_header(rows: Sequence[Sequence[object]], overrides: dict[str, str]) -> int | None:
    """The index of the header row among the first rows: the first that names a customer
    (a name, company or contact column) and at least one more known field."""
    for number, cells in enumerate(rows[:_HEADER_ROWS]):
        fields = [overrides.get(normal_header(c)) or field_for(c) for c in cells if c]
        named = {f for f in fields if f and f != SKIP}
        has_name = named & {"name", "company", CONTACT, "given_name", "family_name"}
        if has_name and len(named) >= 2:
            return number
    return None


def map_columns(headers: Sequence[object], overrides: dict[str, str]) -> list[Column]:
    """Every column's field; unknown headers become custom fields, blank ones are named
    by their column letter. A one-value field named by two columns goes to the one
    naming it more surely (Outlook's "Job Title" over its "Title", which is Mr. or Ms.),
    else to the first; the other column is kept as a custom field."""
    named = []
    for index, cell in enumerate(headers):
        header = str(cell).strip() if cell is not None else ""
        header = header or _("column {letter}").format(letter=column_letter(index))
        normal = normal_header(header)
        target = overrides.get(normal) or field_for(header)
        if header.casefold().startswith(CUSTOM) and len(header) > len(CUSTOM):
            target = target or CUSTOM + custom_name(header[len(CUSTOM) :])  # custbook's export
        named.append((index, header, target, normal))
    owner: dict[str, int] = {}
    for index, _header, target, _normal in sorted(named, key=lambda n: n[3] in _WEAK):
        if target and target not in owner:
            owner[target] = index
    columns = []
    for index, header, target, _normal in named:
        shared = target in (*LIST_FIELDS, SKIP)
        if target is None or (not shared and owner[target] != index):
            target = CUSTOM + custom_name(header)  # a second 城市 column is kept too
        columns.append(Column(index, header, target, scale_of(header)))
    return columns


_WEAK = {"title", "date", "日期", "type", "类型"}  # headers that also mean something else


def custom_name(header: str) -> str:
    """A custom field's name from a header: letters, digits and _ only."""
    text = unicodedata.normalize("NFKC", header).strip()
    return re.sub(r"[\W]+", "_", text).strip("_") or "field"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
