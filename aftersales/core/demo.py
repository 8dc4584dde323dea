"""Deterministic, realistic demo data: `aftersales seed_demo`, `aftersales demo_logins`.

Deterministic: every customer's data comes from its own random generator seeded with the
customer's number, so the same command gives the same customers, sites, contracts and
serials every time, and a small seed (`--customers 3`) is the first part of a big one.
Dates are the one exception on purpose: they are offsets from *today*, so the demo always
shows warranties that end within the next 90 days and warranty cards that are overdue
(accepted more than a month ago, no card issued).

Idempotent: every row is upserted by its natural key (customer code, site name within
the customer, contract number, product model, serial...): a second run creates nothing and
fails on nothing. Demo users are created with the documented passwords when missing; an
existing account of the same name is left alone.

Audit: demo rows are bulk inserted without one audit record each (2,000+ records that say
nothing); instead one summary record "seed_demo" lists what was created, and a run that
creates nothing writes no record.

E-mail addresses use the reserved `.example` domain so a demo can never mail a real person.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction

from aftersales.accounts.choices import Role
from aftersales.assets.choices import EquipmentStatus, ProductCategory
from aftersales.assets.models import Component, Equipment, Product, WarrantyCard, WarrantyTerm
from aftersales.core.models import AuditAction, AuditLog
from aftersales.customers.choices import ContractStatus, Region, ServiceCalendar, Tier
from aftersales.customers.models import Contact, Contract, ContractItem, Customer, Site

DEFAULT_CUSTOMERS = 50
CATALOG_SEED = 2026
DEMO_EMAIL_DOMAIN = "demo.aftersales.example"


# --- demo users -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    last_name: str  # family name first, as Chinese names are written
    first_name: str
    customer_number: int | None = None  # customer users: which demo customer (1-based)

    @property
    def password(self) -> str:
        return demo_password(self.username)


def demo_password(username: str) -> str:
    """The documented demo password: long enough, not common, not numeric, and not too
    similar to the username for Django's validators (checked on every seed)."""
    return f"demo-{username}-2026"


DEMO_USERS = (
    DemoUser("admin", Role.ADMINISTRATOR, "王", "建国"),
    DemoUser("manager", Role.SERVICE_MANAGER, "李", "海燕"),
    DemoUser("vp", Role.VICE_PRESIDENT, "陈", "志强"),
    DemoUser("agent", Role.SERVICE_DESK, "刘", "婷"),
    DemoUser("dispatcher", Role.DISPATCHER, "赵", "磊"),
    DemoUser("engineer", Role.FIELD_ENGINEER, "孙", "浩"),
    DemoUser("warehouse", Role.WAREHOUSE, "周", "敏"),
    DemoUser("quality", Role.QUALITY, "吴", "静"),
    DemoUser("sales", Role.SALES, "郑", "凯"),
    DemoUser("sales2", Role.SALES, "何", "晓东"),
    DemoUser("sales3", Role.SALES, "马", "丽娜"),
    DemoUser("customer1", Role.CUSTOMER, "林", "峰", customer_number=1),
    DemoUser("customer2", Role.CUSTOMER, "徐", "雪", customer_number=2),
)
SALES_USERNAMES = [u.username for u in DEMO_USERS if u.role == Role.SALES]


# --- reference data -------------------------------------------------------------------------

# city, pinyin, province ("" for municipalities), latitude, longitude, districts
CITIES: dict[str, list[tuple[str, str, str, float, float, tuple[str, ...]]]] = {
    Region.NORTH: [
        ("北京", "beijing", "", 39.9042, 116.4074, ("海淀区", "朝阳区", "丰台区", "亦庄经济技术开发区")),
        ("天津", "tianjin", "", 39.3434, 117.3616, ("滨海新区", "河西区", "南开区")),
        ("石家庄", "shijiazhuang", "河北省", 38.0428, 114.5149, ("长安区", "裕华区", "高新区")),
        ("太原", "taiyuan", "山西省", 37.8706, 112.5489, ("小店区", "迎泽区")),
        ("呼和浩特", "huhehaote", "内蒙古自治区", 40.8426, 111.7492, ("赛罕区", "新城区")),
    ],
    Region.NORTHEAST: [
        ("沈阳", "shenyang", "辽宁省", 41.8057, 123.4315, ("浑南区", "和平区", "铁西区")),
        ("大连", "dalian", "辽宁省", 38.9140, 121.6147, ("甘井子区", "中山区", "高新园区")),
        ("长春", "changchun", "吉林省", 43.8171, 125.3235, ("朝阳区", "南关区", "净月区")),
        ("哈尔滨", "haerbin", "黑龙江省", 45.8038, 126.5350, ("南岗区", "道里区", "松北区")),
    ],
    Region.EAST: [
        ("上海", "shanghai", "", 31.2304, 121.4737, ("浦东新区", "徐汇区", "闵行区", "静安区", "嘉定区")),
        ("合肥", "hefei", "安徽省", 31.8206, 117.2272, ("蜀山区", "包河区", "高新区")),
        ("福州", "fuzhou", "福建省", 26.0745, 119.2965, ("鼓楼区", "仓山区")),
        ("厦门", "xiamen", "福建省", 24.4798, 118.0894, ("思明区", "湖里区", "集美区")),
        ("南昌", "nanchang", "江西省", 28.6820, 115.8579, ("红谷滩区", "青山湖区")),
    ],
    Region.JIANGSU: [
        ("南京", "nanjing", "江苏省", 32.0603, 118.7969, ("建邺区", "鼓楼区", "江宁区", "玄武区")),
        ("苏州", "suzhou", "江苏省", 31.2990, 120.5853, ("工业园区", "姑苏区", "吴中区", "相城区")),
        ("无锡", "wuxi", "江苏省", 31.4912, 120.3119, ("新吴区", "梁溪区", "滨湖区")),
        ("常州", "changzhou", "江苏省", 31.8107, 119.9741, ("武进区", "新北区")),
        ("南通", "nantong", "江苏省", 31.9802, 120.8943, ("崇川区", "通州区")),
    ],
    Region.ZHEJIANG: [
        ("杭州", "hangzhou", "浙江省", 30.2741, 120.1551, ("西湖区", "滨江区", "余杭区", "萧山区")),
        ("宁波", "ningbo", "浙江省", 29.8683, 121.5440, ("鄞州区", "海曙区", "北仑区")),
        ("温州", "wenzhou", "浙江省", 27.9943, 120.6994, ("鹿城区", "瓯海区")),
        ("绍兴", "shaoxing", "浙江省", 30.0023, 120.5810, ("越城区", "柯桥区")),
        ("嘉兴", "jiaxing", "浙江省", 30.7467, 120.7555, ("南湖区", "秀洲区")),
    ],
    Region.CENTRAL: [
        ("武汉", "wuhan", "湖北省", 30.5928, 114.3055, ("洪山区", "江汉区", "东湖高新区", "武昌区")),
        ("长沙", "changsha", "湖南省", 28.2282, 112.9388, ("岳麓区", "天心区", "雨花区")),
        ("郑州", "zhengzhou", "河南省", 34.7466, 113.6254, ("金水区", "郑东新区", "高新区")),
        ("宜昌", "yichang", "湖北省", 30.6919, 111.2865, ("西陵区", "伍家岗区")),
        ("洛阳", "luoyang", "河南省", 34.6197, 112.4540, ("洛龙区", "涧西区")),
    ],
    Region.SOUTH: [
        ("广州", "guangzhou", "广东省", 23.1291, 113.2644, ("天河区", "黄埔区", "海珠区", "番禺区")),
        ("深圳", "shenzhen", "广东省", 22.5431, 114.0579, ("南山区", "福田区", "龙岗区", "宝安区")),
        ("东莞", "dongguan", "广东省", 23.0207, 113.7518, ("松山湖", "南城街道")),
        ("佛山", "foshan", "广东省", 23.0215, 113.1214, ("顺德区", "南海区", "禅城区")),
        ("南宁", "nanning", "广西壮族自治区", 22.8170, 108.3669, ("青秀区", "西乡塘区")),
    ],
    Region.SOUTHWEST: [
        ("成都", "chengdu", "四川省", 30.5728, 104.0668, ("高新区", "武侯区", "锦江区", "天府新区")),
        ("重庆", "chongqing", "", 29.5630, 106.5516, ("渝北区", "江北区", "九龙坡区", "两江新区")),
        ("昆明", "kunming", "云南省", 24.8801, 102.8329, ("五华区", "盘龙区", "呈贡区")),
        ("贵阳", "guiyang", "贵州省", 26.6470, 106.6302, ("观山湖区", "南明区")),
    ],
    Region.NORTHWEST: [
        ("西安", "xian", "陕西省", 34.3416, 108.9398, ("雁塔区", "未央区", "高新区", "长安区")),
        ("兰州", "lanzhou", "甘肃省", 36.0611, 103.8343, ("城关区", "七里河区")),
        ("乌鲁木齐", "wulumuqi", "新疆维吾尔自治区", 43.8256, 87.6168, ("天山区", "新市区")),
        ("银川", "yinchuan", "宁夏回族自治区", 38.4872, 106.2309, ("金凤区", "兴庆区")),
        ("西宁", "xining", "青海省", 36.6171, 101.7782, ("城西区", "城中区")),
    ],
    Region.SHANDONG: [
        ("济南", "jinan", "山东省", 36.6512, 117.1201, ("历下区", "高新区", "槐荫区")),
        ("青岛", "qingdao", "山东省", 36.0671, 120.3826, ("市南区", "崂山区", "黄岛区")),
        ("烟台", "yantai", "山东省", 37.4638, 121.4479, ("芝罘区", "莱山区")),
        ("潍坊", "weifang", "山东省", 36.7069, 119.1618, ("奎文区", "高新区")),
        ("临沂", "linyi", "山东省", 35.1041, 118.3564, ("兰山区", "河东区")),
    ],
}
REGIONS = list(Region)

BRANDS = [("浦江", "pujiang"), ("华信", "huaxin"), ("中科", "zhongke"), ("金桥", "jinqiao"), ("瑞达", "ruida"),
          ("恒通", "hengtong"), ("远景", "yuanjing"), ("天成", "tiancheng"), ("博远", "boyuan"), ("新元", "xinyuan"),
          ("东方", "dongfang"), ("鼎盛", "dingsheng"), ("汇智", "huizhi"), ("启明", "qiming"), ("明德", "mingde"),
          ("安泰", "antai"), ("锦程", "jincheng"), ("海纳", "haina"), ("正泰", "zhengtai"), ("长风", "changfeng")]
INDUSTRIES = ["数据科技", "信息技术", "智能制造", "电子商务", "轨道交通", "医疗器械", "现代物流", "新能源",
              "金融服务", "生物医药", "半导体", "环保科技", "文化传媒", "建设工程", "通信技术"]
ROADS = ["人民路", "中山路", "解放路", "建设路", "科技路", "创新大道", "学府路", "长江路", "黄河路", "文化路",
         "高新大道", "软件园路", "东方路", "湖滨路", "发展大道", "光谷大道", "金融街", "世纪大道"]
SITE_KINDS = ["总部大楼", "数据中心", "灾备中心", "研发中心", "生产基地", "物流园区", "分公司", "营业部", "培训中心"]
SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
            ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"),
            ("罗", "luo")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("强", "qiang"),
         ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
         ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("建华", "jianhua"), ("志刚", "zhigang"),
         ("海波", "haibo"), ("晓燕", "xiaoyan"), ("国庆", "guoqing"), ("文博", "wenbo"), ("子涵", "zihan")]
CONTACT_TITLES = ["信息中心主任", "网络管理员", "运维工程师", "设备科科长", "IT经理", "安全主管", "行政主管", "机房负责人"]


@dataclass(frozen=True)
class DemoProduct:
    model: str
    name: str
    category: str
    manufacturer: str
    serial_prefix: str
    versions: tuple[str, ...]
    components: tuple[tuple[str, str, bool], ...]  # code, name, is core unit
    units: tuple[int, int]  # how many one contract line usually buys
    modules: tuple[str, ...]
    core_months: int = 72


PRODUCTS = (
    DemoProduct("NF-5600", "下一代防火墙 NF-5600", ProductCategory.NETWORK_SECURITY, "启明网安", "NF56",
                ("V5.6.1", "V5.6.3", "V6.0.2"), (("CORE", "核心主机", True), ("PSU", "电源模块", False),
                                                 ("FAN", "风扇模块", False), ("HDD", "硬盘", False)),
                (2, 8), ("IPS", "AV", "URL过滤", "IPSec VPN", "SSL VPN", "应用识别")),
    DemoProduct("NF-3200", "下一代防火墙 NF-3200", ProductCategory.NETWORK_SECURITY, "启明网安", "NF32",
                ("V5.6.1", "V5.6.3"), (("CORE", "核心主机", True), ("PSU", "电源模块", False), ("FAN", "风扇模块", False)),
                (4, 20), ("IPS", "AV", "URL过滤", "IPSec VPN")),
    DemoProduct("IDS-2000", "入侵检测系统 IDS-2000", ProductCategory.NETWORK_SECURITY, "天穹安全", "ID20",
                ("V3.2.0", "V3.2.5", "V3.3.1"), (("CORE", "核心主机", True), ("PSU", "电源模块", False),
                                                 ("HDD", "硬盘", False)),
                (1, 4), ("特征库", "流量审计", "威胁情报")),
    DemoProduct("WAF-1000", "Web应用防火墙 WAF-1000", ProductCategory.NETWORK_SECURITY, "天穹安全", "WF10",
                ("V2.8.4", "V3.0.1"), (("CORE", "核心主机", True), ("PSU", "电源模块", False)),
                (1, 4), ("防篡改", "CC防护", "Bot管理")),
    DemoProduct("SW-S6850", "数据中心核心交换机 S6850", ProductCategory.NETWORK, "华辰网络", "S685",
                ("7.1.070", "7.1.075"), (("MPU", "主控板", True), ("LPU", "业务板卡", False),
                                         ("PSU", "电源模块", False), ("FAN", "风扇框", False)),
                (2, 6), ("IRF堆叠", "VXLAN", "BGP", "M-LAG")),
    DemoProduct("SW-S5130", "千兆接入交换机 S5130", ProductCategory.NETWORK, "华辰网络", "S513",
                ("7.1.070", "7.1.066"), (("MAIN", "主机", True), ("PSU", "电源模块", False)),
                (12, 60), ("VLAN", "802.1X", "PoE")),
    DemoProduct("SRV-R4900", "机架式服务器 R4900 G5", ProductCategory.SERVER, "华辰计算", "R49G",
                ("BIOS 2.00.45", "BIOS 2.00.51"), (("MB", "主板", True), ("HDD", "硬盘", False),
                                                   ("PSU", "电源模块", False), ("MEM", "内存", False),
                                                   ("FAN", "风扇", False)),
                (8, 36), ("RAID5", "双电源", "BMC")),
    DemoProduct("STO-5500", "统一存储 5500 V5", ProductCategory.SERVER, "华辰计算", "ST55",
                ("V500R007C60", "V500R007C71"), (("CTRL", "控制器", True), ("HDD", "硬盘", False),
                                                 ("PSU", "电源模块", False)),
                (1, 3), ("双活", "快照", "远程复制")),
    DemoProduct("BA-9000", "楼宇自控系统 BA-9000", ProductCategory.BUILDING, "楼联智控", "BA90",
                ("4.2.1", "4.3.0"), (("CPU", "中央控制器", True), ("DDC", "DDC控制器", False),
                                     ("SEN", "温湿度传感器", False), ("ACT", "执行器", False)),
                (3, 12), ("暖通空调", "给排水", "变配电", "电梯监控"), core_months=60),
    DemoProduct("LC-300", "LED照明控制系统 LC-300", ProductCategory.LIGHTING, "光睿照明", "LC30",
                ("2.5.0", "2.6.3"), (("CTRL", "集中控制器", True), ("DIM", "调光模块", False),
                                     ("PSU", "电源模块", False)),
                (6, 24), ("场景控制", "定时策略", "照度联动"), core_months=60),
    DemoProduct("UPS-200K", "模块化不间断电源 200kVA", ProductCategory.INDUSTRIAL, "恒能电气", "UP2K",
                ("FW 1.8", "FW 2.1"), (("PWR", "功率模块", True), ("BAT", "蓄电池组", False),
                                       ("MON", "监控模块", False)),
                (1, 4), ("并机", "电池巡检", "SNMP卡")),
    DemoProduct("LOG-800", "日志审计系统 LOG-800", ProductCategory.SOFTWARE, "天穹安全", "LG80",
                ("V4.1.2", "V4.2.0"), (("LIC", "软件授权", True), ("HW", "硬件平台", False)),
                (1, 2), ("日志采集", "关联分析", "等保报表")),
)
BUNDLES = (  # what one contract buys together
    ("NF-5600", "IDS-2000", "SW-S5130", "WAF-1000"),
    ("NF-3200", "SW-S5130", "LOG-800"),
    ("SW-S6850", "SRV-R4900", "STO-5500", "UPS-200K"),
    ("BA-9000", "LC-300", "UPS-200K"),
    ("NF-5600", "SW-S6850", "SRV-R4900", "LOG-800"),
)
CONTRACT_TITLES = {
    ProductCategory.NETWORK_SECURITY: "网络安全设备采购及售后服务合同",
    ProductCategory.NETWORK: "网络设备采购及维保服务合同",
    ProductCategory.SERVER: "数据中心设备采购及维保服务合同",
    ProductCategory.BUILDING: "楼宇智能化系统集成及运维服务合同",
    ProductCategory.LIGHTING: "智能照明系统采购及维保服务合同",
    ProductCategory.INDUSTRIAL: "供配电设备采购及维保服务合同",
    ProductCategory.SOFTWARE: "软件系统采购及技术服务合同",
}
DEPOSITS = [Decimal(v) for v in ("30000", "50000", "80000", "120000", "200000", "350000", "500000")]


# --- dates ------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def contract_acceptance(rng: random.Random, bucket: int, today: datetime.date) -> datetime.date:
    """Acceptance dates spread so the demo always has something to show, whatever today is.

    Bucket 0 puts the 24-month whole-system warranty's end 5-75 days from today."""
    if bucket == 0:
        return add_months(today, -24) + datetime.timedelta(days=rng.randint(5, 75))
    days_ago = {1: (3, 200), 2: (250, 600), 3: (800, 1500), 4: (400, 620), 5: (1600, 2000), 6: (100, 400),
                7: (900, 1300)}[bucket]
    return today - datetime.timedelta(days=rng.randint(*days_ago))


# --- generation -------------------------------------------------------------------------------


def pinyin_name(rng: random.Random) -> tuple[str, str]:
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    return surname[0] + given[0], surname[1] + "." + given[1]


def catalog() -> tuple[list[Product], list[Component]]:
    products, components = [], []
    for spec in PRODUCTS:
        product = Product(model=spec.model, name=spec.name, category=spec.category, manufacturer=spec.manufacturer)
        products.append(product)
        components += [Component(product=product, code=code, name=name, is_core=core) for code, name, core in spec.components]
    return products, components


@dataclass
class DemoData:
    customers: list[Customer]
    sites: list[Site]
    contacts: list[Contact]
    contracts: list[Contract]
    items: list[ContractItem]
    terms: list[WarrantyTerm]
    equipment: list[Equipment]
    cards: list[WarrantyCard]


def company_names() -> list[tuple[str, str, str]]:
    """(brand, brand pinyin, industry) in a fixed shuffled order, so names never repeat."""
    pairs = [(b, py, i) for (b, py), i in itertools.product(BRANDS, INDUSTRIES)]
    random.Random(CATALOG_SEED).shuffle(pairs)
    return pairs


def generate(*, customers: int, today: datetime.date, products: dict[str, Product],
             components: dict[tuple[str, str], Component]) -> DemoData:
    """Unsaved model instances for `customers` demo customers; references between them are
    objects, filled in as ids when each kind is inserted."""
    specs = {spec.model: spec for spec in PRODUCTS}
    names = company_names()
    data = DemoData([], [], [], [], [], [], [], [])
    for index in range(customers):
        number = index + 1
        rng = random.Random(f"aftersales-demo/customer/{number}")
        region = REGIONS[index % len(REGIONS)]
        city, city_py, province, lat, lon, districts = rng.choice(CITIES[region])
        brand, brand_py, industry = names[index % len(names)]
        key = index % 5 == 0
        customer = Customer(
            code=f"KH{number:04d}",
            name=f"{city}{brand}{industry}{'股份' if key and rng.random() < 0.5 else ''}有限公司",
            tier=Tier.KEY if key else Tier.NORMAL, region=region,
            address=street_address(rng, province, city, districts),
        )
        data.customers.append(customer)
        domain = f"{city_py}-{brand_py}.example"

        # sites: the head office first, then others mostly in the same region
        sites: list[Site] = []
        used: set[str] = set()
        for site_number in range(rng.randint(3, 5)):
            if site_number == 0:
                where, kind = (city, city_py, province, lat, lon, districts), "总部大楼"
            else:
                pool = CITIES[region] if rng.random() < 0.7 else CITIES[rng.choice(REGIONS)]
                where, kind = rng.choice(pool), rng.choice(SITE_KINDS[1:])
            site_name = f"{where[0]}{kind}"
            if site_name in used:
                continue
            used.add(site_name)
            sites.append(Site(
                customer=customer, name=site_name, city=where[0],
                address=street_address(rng, where[2], where[0], where[5]),
                latitude=Decimal(str(round(where[3] + rng.uniform(-0.06, 0.06), 6))),
                longitude=Decimal(str(round(where[4] + rng.uniform(-0.06, 0.06), 6))),
            ))
        data.sites += sites

        contact_names: set[str] = set()
        for contact_number in range(rng.randint(2, 4)):
            name, handle = pinyin_name(rng)
            if name in contact_names:
                continue
            contact_names.add(name)
            data.contacts.append(Contact(
                customer=customer, site=rng.choice(sites) if contact_number else sites[0], name=name,
                title=rng.choice(CONTACT_TITLES), phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
                email=f"{handle}@{domain}", is_primary=contact_number == 0,
            ))

        for contract_number in range(2 if key else 1):
            bucket = (index * 2 + contract_number) % 8
            accepted = contract_acceptance(rng, bucket, today)
            signed = accepted - datetime.timedelta(days=rng.randint(30, 120))
            ends = add_months(accepted, 60)
            bundle = rng.choice(BUNDLES)
            chosen = rng.sample(bundle, k=rng.randint(2, len(bundle)))
            contract = Contract(
                customer=customer, number=f"HT-{signed.year}-{number:03d}{contract_number + 1}",
                title=CONTRACT_TITLES[specs[chosen[0]].category], signed_on=signed, accepted_on=accepted,
                ends_on=ends, status=ContractStatus.ACTIVE if ends >= today else ContractStatus.EXPIRED,
                service_calendar=ServiceCalendar.ALWAYS_7X24 if key or rng.random() < 0.25 else ServiceCalendar.BUSINESS_5X8,
                performance_deposit=rng.choice(DEPOSITS[3:] if key else DEPOSITS[:5]),
            )
            data.contracts.append(contract)
            whole_months = 24 if bucket == 0 or rng.random() < 0.75 else 36
            for item_number, model in enumerate(chosen):
                spec = specs[model]
                quantity = rng.randint(*spec.units)
                item = ContractItem(contract=contract, product=products[model], quantity=quantity,
                                    description=spec.name)
                data.items.append(item)
                data.terms.append(WarrantyTerm(contract_item=item, component=None, months=whole_months,
                                               description="整机保修"))
                core_code = next(code for code, _name, core in spec.components if core)
                data.terms.append(WarrantyTerm(contract_item=item, component=components[(model, core_code)],
                                               months=spec.core_months, description="核心部件保修"))
                if (model, "PSU") in components and rng.random() < 0.4:
                    data.terms.append(WarrantyTerm(contract_item=item, component=components[(model, "PSU")],
                                                   months=36, description="电源模块延保"))
                for unit_number in range(quantity):
                    unit, card = make_unit(rng, customer=customer, sites=sites, contract=contract, spec=spec,
                                           product=products[model], today=today,
                                           tag=f"{number:03d}{contract_number + 1}{item_number}{unit_number:03d}",
                                           unit_number=unit_number, customer_number=number)
                    data.equipment.append(unit)
                    if card is not None:
                        data.cards.append(card)
    return data


def street_address(rng: random.Random, province: str, city: str, districts: Iterable[str]) -> str:
    building = rng.choice(["", "", f"{rng.choice('ABCD')}座", f"{rng.randint(1, 12)}号楼"])
    return f"{province}{city}市{rng.choice(list(districts))}{rng.choice(ROADS)}{rng.randint(1, 2999)}号{building}"


def make_unit(rng: random.Random, *, customer, sites, contract, spec: DemoProduct, product, today,
              tag: str, unit_number: int, customer_number: int) -> tuple[Equipment, WarrantyCard | None]:
    site = sites[0] if rng.random() < 0.45 else rng.choice(sites)
    accepted = min(contract.accepted_on + datetime.timedelta(days=rng.randint(0, 10)), today)
    status = rng.choices(list(EquipmentStatus), weights=[94, 3, 2, 1])[0]
    short = spec.serial_prefix.lower()
    unit = Equipment(
        product=product, serial=f"{spec.serial_prefix}{accepted:%y%m}{tag}", site=site, customer=customer,
        contract=contract, accepted_on=accepted, software_version=rng.choice(spec.versions), status=status,
        location=f"{rng.randint(1, 12)}F机房 {rng.choice('ABCDEF')}{rng.randint(1, 24):02d}机柜",
        configuration={
            "hostname": f"kh{customer_number:04d}-{short}-{unit_number + 1:02d}",
            "management_ip": f"10.{customer_number % 250}.{rng.randint(0, 255)}.{rng.randint(2, 254)}",
            "modules": sorted(rng.sample(spec.modules, k=rng.randint(1, len(spec.modules)))),
        },
    )
    # About one unit in fifteen lacks its card: with acceptance over a month ago it is overdue.
    days_since = (today - accepted).days
    if unit_number % 15 == 4 or (days_since < 30 and rng.random() < 0.5):
        return unit, None
    issued = min(accepted + datetime.timedelta(days=rng.randint(3, 25)), today)
    card = WarrantyCard(equipment=unit, number=f"BK{accepted:%Y%m}{tag}", issued_on=issued)
    return unit, card


# --- writing ----------------------------------------------------------------------------------


def ensure(model: type[models.Model], db_fields: tuple[str, ...], key: Callable[[models.Model], tuple],
           instances: list[models.Model]) -> int:
    """Insert the instances whose natural key is not in the database yet; give the others
    the existing primary key so rows that refer to them point at the existing row.
    Returns how many were inserted."""
    existing = {tuple(row[:-1]): row[-1] for row in model.objects.values_list(*db_fields, "pk")}
    missing = []
    for instance in instances:
        pk = existing.get(key(instance))
        if pk is None:
            missing.append(instance)
        else:
            instance.pk = pk
            instance._state.adding = False
    model.objects.bulk_create(missing, batch_size=500)
    return len(missing)


def seed_users(progress: Callable[[str], None]) -> tuple[dict[str, object], int]:
    """Create the demo users that are missing. Existing accounts are left exactly as they
    are: an "admin" made with createsuperuser keeps its own password."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    users, new = {}, 0
    for spec in DEMO_USERS:
        if spec.username in existing:
            users[spec.username] = existing[spec.username]
            continue
        customer = Customer.objects.get(code=f"KH{spec.customer_number:04d}") if spec.customer_number else None
        user = User(username=spec.username, role=spec.role, customer=customer, last_name=spec.last_name,
                    first_name=spec.first_name, email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}")
        validate_password(spec.password, user)  # the documented password must work as documented
        user.set_password(spec.password)
        user.full_clean()
        user.save()
        users[spec.username] = user
        new += 1
    progress(f"users: {len(users)} demo users ({new} new)")
    return users, new


def seed_demo(*, customers: int = DEFAULT_CUSTOMERS, today: datetime.date,
              progress: Callable[[str], None] = lambda line: None) -> dict[str, int]:
    """Create (or complete) the demo data set; returns how many rows of each kind were new."""
    if customers < 2:
        raise ValueError("the demo needs at least 2 customers (customer1 and customer2 belong to different ones)")
    created: dict[str, int] = {}
    with transaction.atomic():
        products, components = catalog()
        created["products"] = ensure(Product, ("model",), lambda p: (p.model,), products)
        created["components"] = ensure(Component, ("product_id", "code"), lambda c: (c.product.pk, c.code), components)
        progress(f"products: {len(products)} with {len(components)} components")

        # Customers first: the customer users belong to them, and contracts need the sales users.
        data = generate(customers=customers, today=today, products={p.model: p for p in products},
                        components={(c.product.model, c.code): c for c in components})
        created["customers"] = ensure(Customer, ("code",), lambda c: (c.code,), data.customers)
        progress(f"customers: {len(data.customers)} ({created['customers']} new)")
        users, created["users"] = seed_users(progress)
        sales = [users[name] for name in SALES_USERNAMES]
        for contract in data.contracts:
            contract.sales_owner = sales[int(contract.customer.code[2:]) % len(sales)]
        for card in data.cards:
            card.issued_by = users["engineer"]

        created["sites"] = ensure(Site, ("customer_id", "name"), lambda s: (s.customer.pk, s.name), data.sites)
        progress(f"sites: {len(data.sites)} ({created['sites']} new)")
        created["contacts"] = ensure(Contact, ("customer_id", "name"), lambda c: (c.customer.pk, c.name), data.contacts)
        progress(f"contacts: {len(data.contacts)} ({created['contacts']} new)")
        created["contracts"] = ensure(Contract, ("number",), lambda c: (c.number,), data.contracts)
        created["contract_items"] = ensure(ContractItem, ("contract_id", "product_id"),
                                           lambda i: (i.contract.pk, i.product.pk), data.items)
        created["warranty_terms"] = ensure(WarrantyTerm, ("contract_item_id", "component_id"),
                                           lambda t: (t.contract_item.pk, t.component.pk if t.component else None), data.terms)
        progress(f"contracts: {len(data.contracts)} with {len(data.items)} items and {len(data.terms)} warranty terms"
                 f" ({created['contracts']} new)")
        created["equipment"] = ensure(Equipment, ("product_id", "serial"), lambda e: (e.product.pk, e.serial), data.equipment)
        progress(f"equipment: {len(data.equipment)} units ({created['equipment']} new)")
        created["warranty_cards"] = ensure(WarrantyCard, ("number",), lambda w: (w.number,), data.cards)
        progress(f"warranty cards: {len(data.cards)} ({created['warranty_cards']} new); "
                 f"{len(data.equipment) - len(data.cards)} units without a card")

        if any(created.values()):
            AuditLog.objects.create(
                actor=None, actor_name="system", action=AuditAction.CREATE, object_type="core.demo",
                object_id="seed_demo", object_repr="seed_demo", before=None,
                after={"customers_requested": customers, "today": today.isoformat(), "created": created},
            )
    return created
