"""Demo service requests for `aftersales seed_demo`: service groups with leads, routing
rules, and about 300 tickets over the 60 days before the moment the command runs.

Every ticket goes through `aftersales.tickets.services` with `now=` set to the moment the
step happened (create, re-grade, assign, pause and resume, targets met, resolve, close), so
due times, pauses, grade history, timeline and audit records are the ones the real code
writes. Most tickets are closed with every target met; some were resolved late (a
breached target); about one customer in two has one open ticket: most due in the next
hours, a few already breached, a few paused waiting for the customer. Running faults are
re-graded the way the worker does it (`regrade_running_outages` at each 1 h / 2 h / 4 h
crossing), so their timelines show the automatic re-grades.

Deterministic: a customer's tickets come from a generator seeded with the customer's
number; the times are offsets from the moment of the run. Idempotent: a customer that
already has tickets gets none (so a second run adds nothing, and a larger `--customers`
adds tickets only for the new customers). Historical tickets notify nobody now: the
vice-president's L1/L2 notices they put in the outbox are recorded as sent when the level
was reached, so the worker does not mail weeks-old news.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.assets.choices import ProductCategory
from aftersales.assets.models import Equipment, Product
from aftersales.core.demo import DEMO_EMAIL_DOMAIN, DEMO_USERS, ensure
from aftersales.customers.choices import Region, Tier
from aftersales.customers.models import Contact, Customer
from aftersales.notifications.choices import NotificationStatus
from aftersales.notifications.models import Notification
from aftersales.tickets import services
from aftersales.tickets.choices import Category, Channel, Impact, Status, TargetKind
from aftersales.tickets.models import GradeChange, RoutingRule, ServiceGroup, Ticket

HISTORY_DAYS = 60
HOTLINE = "热线服务台"
PRODUCT_TEAM = "网络安全产品线技术支持组"
REGIONAL_POINTS = {
    Region.NORTH: "华北服务站（北京）", Region.NORTHEAST: "东北服务站（沈阳）", Region.EAST: "华东服务站（上海）",
    Region.JIANGSU: "江苏服务站（南京）", Region.ZHEJIANG: "浙江服务站（杭州）", Region.CENTRAL: "华中服务站（武汉）",
    Region.SOUTH: "华南服务站（广州）", Region.SOUTHWEST: "西南服务站（成都）", Region.NORTHWEST: "西北服务站（西安）",
    Region.SHANDONG: "山东服务站（济南）",
}
SECURITY_MODELS = ("NF-5600", "NF-3200", "IDS-2000", "WAF-1000")

# (subject, description) of faults, by product category; "{unit}" is the unit's product name.
FAULTS: dict[str, list[tuple[str, str]]] = {
    ProductCategory.NETWORK_SECURITY: [
        ("防火墙主备切换后部分业务中断", "上午防火墙发生主备切换，切换后OA和邮件系统无法访问，重启备机无效，请尽快派工程师排查。"),
        ("防火墙CPU持续100%，全网访问卡顿", "{unit}管理界面显示CPU占用持续100%，内网访问外网严重卡顿，怀疑遭受攻击。"),
        ("SSL VPN用户无法登录，提示证书错误", "今天早上开始所有SSL VPN用户登录时提示证书无效，出差员工无法接入内网。"),
        ("IPS特征库无法在线升级", "{unit}特征库在线升级一直失败，提示连接升级服务器超时，已检查DNS正常。"),
        ("IDS告警停止上报，管理口无法访问", "IDS管理口ping不通，平台上从昨晚起没有新的告警，设备面板ALM灯常亮。"),
        ("WAF误拦截正常业务请求", "网上营业厅提交表单被WAF拦截，返回403，影响客户办理业务，请协助调整策略。"),
        ("日志审计磁盘空间满，停止采集日志", "{unit}提示存储空间不足，已停止采集日志，等保检查前需要尽快处理。"),
        ("设备频繁重启，日志显示看门狗复位", "{unit}一天内重启三次，日志中有watchdog reset记录，业务每次中断约5分钟。"),
    ],
    ProductCategory.NETWORK: [
        ("核心交换机业务板卡告警，部分端口down", "{unit}第3槽位板卡ALM灯红色，该板卡上24个端口全部down，服务器区部分业务中断。"),
        ("IRF堆叠分裂，业务部分中断", "两台核心交换机堆叠分裂，出现双主，部分VLAN业务不通，现场已断开一台的上行。"),
        ("接入交换机PoE供电异常，AP频繁重启", "三楼接入交换机PoE口供电不稳定，无线AP每隔十几分钟重启一次。"),
        ("交换机端口大量CRC错误，网络丢包", "{unit}上联口出现大量CRC错误，更换跳线后仍然丢包，怀疑光模块故障。"),
        ("风扇框告警，设备温度过高", "{unit}风扇框告警，设备温度达到68度，机房空调正常。"),
    ],
    ProductCategory.SERVER: [
        ("服务器硬盘故障灯亮，RAID降级", "{unit}第2块硬盘故障灯亮，阵列卡报RAID5降级，需要尽快更换硬盘。"),
        ("存储控制器告警，主机访问LUN变慢", "{unit}控制器A告警，业务主机访问LUN延迟明显升高，数据库响应变慢。"),
        ("服务器无法开机，电源指示灯闪烁", "机房停电检修后{unit}无法开机，电源指示灯橙色闪烁，按电源键无反应。"),
        ("BMC无法登录，风扇告警", "{unit}的BMC网页无法登录，面板显示风扇告警，请协助检查。"),
        ("内存报错，系统日志出现ECC错误", "{unit}系统日志持续出现可纠正ECC错误，担心内存条即将损坏。"),
    ],
    ProductCategory.BUILDING: [
        ("DDC控制器离线，空调机组无法远程控制", "{unit}上五台DDC控制器离线，中控室无法远程启停空调机组，只能现场手动操作。"),
        ("温湿度传感器数据异常", "机房温湿度传感器读数一直显示85度，现场实测正常，导致系统误报警。"),
        ("楼控系统服务器宕机，画面全部灰色", "{unit}中央控制器画面全部灰色，所有点位通讯中断。"),
    ],
    ProductCategory.LIGHTING: [
        ("照明控制器离线，三层照明无法按场景开关", "{unit}三层集中控制器离线，定时策略不执行，晚上照明无法自动关闭。"),
        ("调光模块故障，会议室灯光闪烁", "大会议室灯光频繁闪烁，调光模块发热严重，请派人检查。"),
    ],
    ProductCategory.INDUSTRIAL: [
        ("UPS 切换后主机无法开机", "市电中断后UPS切换到电池供电，恢复市电后UPS主机无法开机，目前机房由旁路供电。"),
        ("UPS电池巡检告警，后备时间不足", "{unit}电池巡检报第3组电池内阻异常，后备时间只剩8分钟。"),
        ("功率模块告警，UPS转旁路运行", "{unit}一个功率模块故障告警，UPS已自动转旁路，负载失去保护。"),
    ],
    ProductCategory.SOFTWARE: [
        ("日志审计报表生成失败", "{unit}月度等保报表生成失败，提示数据库查询超时。"),
        ("采集器无法接收syslog", "{unit}从周末开始收不到防火墙的syslog日志，采集器状态显示正常。"),
    ],
}
REQUESTS: dict[str, list[tuple[str, str]]] = {
    Category.INSTALLATION: [
        ("新购设备上架安装调试", "新采购的{unit}已到货，请安排工程师上门上架、加电并完成初始配置。"),
        ("扩容板卡安装", "扩容的业务板卡已到货，需要安排停机窗口安装并调试。"),
    ],
    Category.CONSULTATION: [
        ("咨询固件升级路径", "{unit}目前版本较旧，想了解升级到最新版本的路径和注意事项。"),
        ("询问保修期限及延保政策", "请告知{unit}的整机保修和核心部件保修什么时候到期，以及延保价格。"),
        ("咨询等保测评整改建议", "等保测评提出了几项整改意见，想咨询{unit}需要调整哪些配置。"),
    ],
    Category.CONFIGURATION_CHANGE: [
        ("申请调整安全策略，开放新业务端口", "新上线的业务系统需要开放8443端口，请协助调整{unit}的访问策略。"),
        ("变更VLAN规划", "因部门调整需要新增两个VLAN并调整接入端口划分，请安排工程师远程协助。"),
        ("修改告警通知接收人", "运维负责人变更，请将{unit}的告警短信和邮件接收人改为新的负责人。"),
    ],
    Category.RETURN_EXCHANGE: [
        ("电源模块到货即损，申请换货", "新到的电源模块插上后指示灯不亮，换槽位也一样，申请换货。"),
        ("备件型号发错，申请退换", "收到的备件型号与订单不符，无法安装，请安排退换。"),
    ],
    Category.COMPLAINT: [
        ("工程师到场超时，对服务不满意", "上周报修后工程师比承诺时间晚了两个多小时才到现场，影响了我们的业务恢复。"),
        ("同一故障反复出现，要求给出根因分析", "{unit}同样的故障一个月内出现三次，每次都只是重启处理，要求给出根因分析报告。"),
    ],
}
CATEGORY_WEIGHTS = {Category.FAULT: 58, Category.INSTALLATION: 7, Category.CONSULTATION: 11,
                    Category.CONFIGURATION_CHANGE: 10, Category.RETURN_EXCHANGE: 6, Category.COMPLAINT: 8}
CHANNEL_WEIGHTS = {Channel.PHONE: 45, Channel.EMAIL: 20, Channel.PORTAL: 12, Channel.ONSITE: 8, Channel.API: 15}
UPGRADE_REASONS = ["客户多次催促，影响生产业务，升级处理", "故障影响范围扩大到多个业务系统，升级处理",
                   "重点保障期间（重要会议），按客户要求升级"]
DOWNGRADE_REASONS = ["已启用备用设备接管业务，影响降低，降级处理", "经远程确认仅影响单个非核心功能，降级处理"]
PAUSE_REASONS = ["等待客户安排停机窗口", "等待客户提供设备日志和配置文件", "等待客户确认现场进场时间",
                 "等待客户采购的配件到货"]
OPEN_KINDS = ("due soon", "breached", "paused", "due soon", "due soon")


@dataclass
class Staff:
    agent: object
    dispatcher: object
    engineer: object
    manager: object
    customer_users: dict[int, object]  # demo customer number -> its portal user


def seed_groups(users: dict[str, object]) -> tuple[dict[str, ServiceGroup], int]:
    """The hotline, one service point per region and a product-line team, with their
    routing rules. Returns the groups by name and how many groups and rules were new."""
    groups = [ServiceGroup(name=HOTLINE, lead=users["agent"], email=f"hotline@{DEMO_EMAIL_DOMAIN}"),
              ServiceGroup(name=PRODUCT_TEAM, lead=users["engineer"], email=f"security-team@{DEMO_EMAIL_DOMAIN}")]
    groups += [ServiceGroup(name=name, lead=users["dispatcher"], email=f"sp-{region}@{DEMO_EMAIL_DOMAIN}")
               for region, name in REGIONAL_POINTS.items()]
    new = ensure(ServiceGroup, ("name",), lambda g: (g.name,), groups)
    by_name = {g.name: g for g in groups}
    products = {p.model: p for p in Product.objects.filter(model__in=SECURITY_MODELS)}
    rules = [
        # Complaints and consultations go to the hotline whoever the customer is.
        RoutingRule(group=by_name[HOTLINE], priority=10, category=Category.COMPLAINT),
        RoutingRule(group=by_name[HOTLINE], priority=10, category=Category.CONSULTATION),
        # Faults of key customers' security appliances go to the product-line team.
        *[RoutingRule(group=by_name[PRODUCT_TEAM], priority=20, category=Category.FAULT, product=products[model],
                      tier=Tier.KEY) for model in SECURITY_MODELS if model in products],
        # Everything else on site: the customer's regional service point.
        *[RoutingRule(group=by_name[name], priority=50, region=region) for region, name in REGIONAL_POINTS.items()],
        # Nothing matched: the hotline.
        RoutingRule(group=by_name[HOTLINE], priority=100),
    ]
    new += ensure(RoutingRule, ("group_id", "priority", "category", "product_id", "region", "tier"),
                  lambda r: (r.group.pk, r.priority, r.category, r.product.pk if r.product else None, r.region, r.tier),
                  rules)
    return by_name, new


def _at_local_hour(rng: random.Random, moment: datetime) -> datetime:
    """`moment`'s day at a plausible local time of a call: mostly office hours, some evenings
    and nights."""
    local = timezone.localtime(moment)
    hour = rng.choices([rng.randint(8, 18), rng.randint(19, 22), rng.randint(0, 7)], weights=[80, 14, 6])[0]
    return local.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def _text(rng: random.Random, category: str, unit: Equipment | None) -> tuple[str, str]:
    if category == Category.FAULT:
        pool = FAULTS[unit.product.category if unit is not None else ProductCategory.NETWORK_SECURITY]
    else:
        pool = REQUESTS[category]
    subject, description = rng.choice(pool)
    name = unit.product.name if unit is not None else "设备"
    return subject, description.replace("{unit}", name)


@dataclass
class Plan:
    """One demo ticket: who called about what, when, and how it went."""

    customer: Customer
    number: int  # the customer's demo number
    created_at: datetime
    channel: str
    category: str
    impact: str
    outage_minutes: int | None  # how long the function was out before the call; negative: it is over
    subject: str
    description: str
    unit: Equipment | None
    contact: Contact | None
    outcome: str  # "closed", "breached" (closed late), or an open kind: "due soon", "breached open", "paused"
    regrade: int  # 0, -1 (upgrade one level) or +1 (downgrade one level)
    pause_hours: float  # 0: never waited for the customer
    rng: random.Random


def plan_tickets(customers: list[Customer], units: dict[int, list[Equipment]], contacts: dict[int, list[Contact]],
                 now: datetime) -> list[Plan]:
    plans = []
    open_index = 0
    for customer in customers:
        number = int(customer.code[2:])
        rng = random.Random(f"aftersales-demo/tickets/{number}")
        count = rng.randint(7, 10) if customer.tier == Tier.KEY else rng.randint(4, 7)
        has_open = number <= 4 or number % 2 == 1
        for index in range(count):
            category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
            # Portal tickets only where the demo has portal users (customer1 and customer2).
            weights = {**CHANNEL_WEIGHTS, Channel.PORTAL: 40 if number <= 2 else 0}
            channel = rng.choices(list(weights), weights=list(weights.values()))[0]
            unit = rng.choice(units[customer.pk]) if units.get(customer.pk) else None
            if category == Category.CONSULTATION and rng.random() < 0.3:
                unit = None
            subject, description = _text(rng, category, unit)
            impact, outage = Impact.NONE, None
            if category in (Category.FAULT, Category.RETURN_EXCHANGE):
                impact = rng.choices([Impact.CORE_FUNCTION, Impact.MINOR_FUNCTION], weights=[70, 30])[0]
                outage = rng.choice([5, 10, 15, 20, 20, 30, 30, 45, 70, 90, 150, 300])
                if rng.random() < 0.7:  # an intermittent fault, over when the call came
                    outage = -outage
            elif category == Category.COMPLAINT:
                impact = Impact.MINOR_FUNCTION
            is_open = has_open and index == 0
            if is_open:
                outcome = OPEN_KINDS[open_index % len(OPEN_KINDS)]
                open_index += 1
                if outcome == "breached":
                    # Office hours of a working day two or more days ago: overdue on any calendar.
                    day = timezone.localtime(now) - timedelta(days=rng.randint(2, 3))
                    while day.weekday() >= 5:
                        day -= timedelta(days=1)
                    created = day.replace(hour=rng.randint(9, 15), minute=rng.randint(0, 59), second=0, microsecond=0)
                    outcome = "breached open"
                elif outcome == "paused":
                    created = now - timedelta(hours=rng.randint(3, 20), minutes=rng.randint(0, 59))
                else:
                    created = now - timedelta(minutes=rng.randint(8, 100))
                if outcome != "due soon" and category not in (Category.FAULT, Category.RETURN_EXCHANGE):
                    category, impact, outage = Category.FAULT, Impact.CORE_FUNCTION, 30
                    subject, description = _text(rng, category, unit)
            else:
                outcome = "breached" if rng.random() < 0.13 else "closed"
                created = _at_local_hour(rng, now - timedelta(days=rng.randint(3, HISTORY_DAYS)))
            plans.append(Plan(
                customer=customer, number=number, created_at=created, channel=channel, category=category,
                impact=impact, outage_minutes=outage, subject=subject, description=description, unit=unit,
                contact=rng.choice(contacts[customer.pk]) if contacts.get(customer.pk) else None,
                outcome=outcome, regrade=rng.choices([0, -1, 1], weights=[84, 10, 6])[0] if not is_open else 0,
                pause_hours=rng.choice([1.5, 4, 18, 26]) if not is_open and rng.random() < 0.15 else 0, rng=rng,
            ))
    return plans


class Run:
    """Plays one plan through the services, step by step in time order."""

    def __init__(self, plan: Plan, staff: Staff, now: datetime):
        self.plan, self.staff, self.now, self.rng = plan, staff, now, plan.rng
        self.at = plan.created_at
        self.ticket: Ticket | None = None
        self._targets: dict[str, object] | None = None  # read again after anything that moves them

    def step(self, minutes: float) -> datetime:
        """Move the clock on; never past a minute before the run's `now`."""
        self.at = min(self.at + timedelta(minutes=minutes), self.now - timedelta(minutes=1))
        self.catch_up_regrades()
        return self.at

    def catch_up_regrades(self, until: datetime | None = None) -> None:
        """What the worker would have done meanwhile: re-grade at each outage crossing."""
        ticket, until = self.ticket, min(until or self.at, self.now)
        while ticket is not None and ticket.next_regrade_at is not None and ticket.next_regrade_at <= until:
            crossing = ticket.next_regrade_at
            services.regrade_running_outages(now=crossing + timedelta(seconds=30))
            ticket.refresh_from_db()
            self._targets = None
            if ticket.next_regrade_at == crossing:  # nothing moved it on: stop rather than loop
                break

    def targets(self) -> dict[str, object]:
        if self._targets is None:
            self._targets = {t.kind: t for t in self.ticket.sla_targets.all()}
        return self._targets

    def meet(self, kind: str, minutes: tuple[int, int], *, late: bool = False) -> None:
        """Record `kind` met some `minutes` after the last step, before its due time (or
        after it when `late`); a target that is not due to be met before now stays open."""
        when = self.at + timedelta(minutes=self.rng.randint(*minutes))
        self.catch_up_regrades(until=when)  # a re-grade on the way may move the due time
        target = self.targets().get(kind)
        if target is None or target.met_at is not None:
            return
        if late:
            when = max(when, target.due_at + timedelta(minutes=self.rng.randint(10, 240)))
            self.catch_up_regrades(until=when)
        elif when > target.due_at:
            when = max(target.due_at - timedelta(minutes=self.rng.randint(1, 5)), self.at + timedelta(minutes=1))
        if when >= self.now - timedelta(minutes=1):
            return  # it has not happened yet
        self.at = when
        services.ticket_mark(ticket=self.ticket, kind=kind, actor=self.staff.engineer, at=when)
        self._targets = None

    def play(self) -> Ticket:
        plan, staff = self.plan, self.staff
        creator = {Channel.PORTAL: staff.customer_users.get(plan.number), Channel.ONSITE: staff.engineer}.get(
            plan.channel) or staff.agent
        data = {"customer": plan.customer, "equipment": plan.unit, "contact": plan.contact,
                "category": plan.category, "impact": plan.impact, "subject": plan.subject,
                "description": plan.description}
        if plan.outage_minutes is not None:
            data["outage_started_at"] = plan.created_at - timedelta(minutes=abs(plan.outage_minutes) + 5)
            if plan.outage_minutes < 0:  # over before the call
                data["outage_ended_at"] = plan.created_at - timedelta(minutes=5)
        if plan.contact is not None and plan.channel in (Channel.PHONE, Channel.ONSITE):
            data["caller_name"], data["caller_phone"] = plan.contact.name, plan.contact.phone
        self.ticket = services.ticket_create(actor=creator, data=data, channel=plan.channel, now=plan.created_at)
        ticket = self.ticket
        self.catch_up_regrades()

        if plan.regrade:
            levels = ["L1", "L2", "L3", "L4", "L5"]
            when = self.step(self.rng.randint(3, 12))  # after any automatic re-grade until then
            position = levels.index(ticket.level) + plan.regrade
            if 0 <= position < len(levels):
                reasons = UPGRADE_REASONS if plan.regrade < 0 else DOWNGRADE_REASONS
                services.ticket_regrade(ticket=ticket, level=levels[position], reason=self.rng.choice(reasons),
                                        actor=staff.manager, now=when)
                self._targets = None

        # The routed group's lead owns a new ticket; about half are dispatched to the engineer.
        assignee = ticket.assignee
        if assignee is None or plan.channel == Channel.ONSITE or self.rng.random() < 0.5:
            assignee = staff.engineer
            services.ticket_assign(ticket=ticket, assignee=assignee, actor=staff.dispatcher,
                                   now=self.step(self.rng.randint(1, 6)))
        if plan.outcome == "due soon":
            if ticket.level != "L5" and self.rng.random() < 0.6:  # an L5 promises nothing else
                self.meet(TargetKind.RESPOND, (2, 12))
            return ticket

        self.meet(TargetKind.RESPOND, (2, 12))
        services.ticket_set_status(ticket=ticket, status=Status.IN_PROGRESS, actor=assignee,
                                   now=self.step(self.rng.randint(2, 10)))
        if plan.outcome == "paused":
            services.ticket_pause(ticket=ticket, reason=self.rng.choice(PAUSE_REASONS), actor=assignee,
                                  now=self.step(self.rng.randint(20, 90)))
            return ticket
        self.meet(TargetKind.DIAGNOSE, (5, 25), late=plan.outcome == "breached open")
        if plan.outcome == "breached open":
            return ticket

        if plan.pause_hours:
            services.ticket_pause(ticket=ticket, reason=self.rng.choice(PAUSE_REASONS), actor=assignee,
                                  now=self.step(self.rng.randint(10, 40)))
            self._targets = None
            services.ticket_resume(ticket=ticket, actor=assignee, now=self.step(plan.pause_hours * 60))
            self._targets = None
        self.meet(TargetKind.ON_SITE, (20, 90))
        self.meet(TargetKind.RESOLVE, (5, 45), late=plan.outcome == "breached")
        self.meet(TargetKind.LOANER, (5, 60))  # late resolve: the loaner unit went out
        # Targets an automatic re-grade added on the way (an L5 that became L4 gains them).
        for kind, minutes in ((TargetKind.RESPOND, (1, 5)), (TargetKind.DIAGNOSE, (5, 20)),
                              (TargetKind.ON_SITE, (20, 90)), (TargetKind.RESOLVE, (10, 60))):
            self.meet(kind, minutes)
        if any(t.met_at is None for t in self.targets().values()):
            return ticket  # still being worked on
        services.ticket_set_status(ticket=ticket, status=Status.RESOLVED, actor=assignee, now=self.step(5))
        closed_at = self.at + timedelta(hours=self.rng.randint(4, 50))
        if closed_at < self.now - timedelta(minutes=1):
            services.ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=staff.agent,
                                       now=self.step((closed_at - self.at).total_seconds() / 60))
        return ticket


def notices_sent_back_then(ticket_ids: list[int]) -> int:
    """Record the seeded tickets' L1/L2 notices to the vice-president (outbox rows keyed
    "vp:<ticket>:<level>:<address>") as sent when the ticket reached that level."""
    reached: dict[tuple[int, str], object] = {}
    for ticket_id, level, at in (GradeChange.objects.filter(ticket_id__in=ticket_ids).order_by("at", "id")
                                 .values_list("ticket_id", "to_level", "at")):
        reached.setdefault((ticket_id, level), at)
    started = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "clock_started_at"))
    notices = list(Notification.objects.filter(ticket_id__in=ticket_ids, status=NotificationStatus.PENDING,
                                               dedup_key__startswith="vp:"))
    for notice in notices:
        level = notice.dedup_key.split(":")[2]
        at = reached.get((notice.ticket_id, level), started[notice.ticket_id])
        notice.status, notice.attempts = NotificationStatus.SENT, 1
        notice.created_at = notice.next_attempt_at = notice.sent_at = at
    Notification.objects.bulk_update(notices, ["status", "attempts", "created_at", "next_attempt_at", "sent_at"])
    return len(notices)


def seed_tickets(*, customers: int, now: datetime | None = None,
                 progress: Callable[[str], None] = lambda line: None) -> dict[str, int]:
    """Groups, routing rules and the demo tickets of the first `customers` demo customers
    (seed_demo's customers must exist). Returns how many rows of each kind were new."""
    now = now or timezone.now()
    User = get_user_model()
    names = [d.username for d in DEMO_USERS]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    staff = Staff(agent=users["agent"], dispatcher=users["dispatcher"], engineer=users["engineer"],
                  manager=users["manager"],
                  customer_users={d.customer_number: users[d.username] for d in DEMO_USERS
                                  if d.role == Role.CUSTOMER and d.username in users})
    created = {}
    with transaction.atomic():
        groups, created["service_groups"] = seed_groups(users)
        codes = [f"KH{n:04d}" for n in range(1, customers + 1)]
        already = set(Ticket.objects.filter(customer__code__in=codes).values_list("customer__code", flat=True))
        todo = list(Customer.objects.filter(code__in=codes).exclude(code__in=already).order_by("code"))
        units: dict[int, list[Equipment]] = {}
        for unit in (Equipment.objects.filter(customer__in=todo).select_related("product", "contract")
                     .order_by("customer_id", "id")):
            units.setdefault(unit.customer_id, []).append(unit)
        contacts: dict[int, list[Contact]] = {}
        for contact in Contact.objects.filter(customer__in=todo).order_by("customer_id", "id"):
            contacts.setdefault(contact.customer_id, []).append(contact)
        plans = plan_tickets(todo, units, contacts, now)
        # History first, oldest first; the open tickets last, so the re-grade catch-up of a
        # closed ticket never touches an open one.
        plans.sort(key=lambda p: (p.outcome not in ("closed", "breached"), p.created_at))
        seeded = []
        for done, plan in enumerate(plans, 1):
            seeded.append(Run(plan, staff, now).play().pk)
            if done % 50 == 0:
                progress(f"tickets: {done} of {len(plans)}")
        # The worker's catch-up for the open tickets' running outages, as of now.
        services.regrade_running_outages(now=now)
        notices_sent_back_then(seeded)
        created["tickets"] = len(plans)
    open_count = Ticket.objects.filter(customer__code__in=codes, status__in=services.OPEN_STATUSES).count()
    progress(f"tickets: {len(plans)} new for {len(todo)} customers ({open_count} open); "
             f"{len(groups)} service groups")
    return created
