"""The demo's exams, dated from today: the league's 党史与党章党规题库 (open for practice), a random
paper and a fixed one; 2026年党史知识竞答 open now (a league-wide quiz for points: 满分 3, 及格 1),
last month's 组织工作业务测试 taken by four cadres of each county and by 巴依斯古楞 (results,
item statistics, short answers marked and two still waiting — and his 错题本), and a 现场考评
tomorrow morning. The cadres who took the test get accounts (no password: they are the demo's
data, not its sign-ins). Idempotent: nothing is added once the demo bank is there."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign, Indicator
from xuebi.campaign.services.rules import indicator_save
from xuebi.core import context
from xuebi.org.choices import PersonStatus, UnitKind
from xuebi.org.models import Person, Unit, User

from . import services, tasks
from .models import (
    Attempt,
    Bank,
    Category,
    ExamKind,
    Paper,
    PaperMode,
    PaperQuestion,
    PaperRule,
    Question,
    QuestionType,
    fingerprint,
)

__all__ = ["load_exams_demo"]

BANK = "党史与党章党规题库"
S, M, T, F, A = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE, QuestionType.FILL, QuestionType.SHORT

# (category, type, text, options, answer, explanation, difficulty)
QUESTIONS = [
    ("党史", S, "中国共产党第一次全国代表大会于哪一年召开？", ["1919年", "1921年", "1927年", "1949年"], [1], "1921年7月23日，中共一大在上海开幕，最后一天的会议转移到浙江嘉兴南湖的游船上举行。", 1),
    ("党史", S, "遵义会议召开于哪一年？", ["1934年", "1935年", "1936年", "1937年"], [1], "1935年1月，中共中央政治局在贵州遵义召开扩大会议，是党的历史上一个生死攸关的转折点。", 1),
    ("党史", S, "党的十一届三中全会召开于哪一年？", ["1976年", "1977年", "1978年", "1979年"], [2], "1978年12月召开的党的十一届三中全会，实现了新中国成立以来党的历史上具有深远意义的伟大转折。", 1),
    ("党史", S, "古田会议召开于哪一年？", ["1927年", "1929年", "1931年", "1935年"], [1], "1929年12月，红四军党的第九次代表大会在福建上杭古田召开。", 2),
    ("党史", S, "党的第七次全国代表大会在哪里召开？", ["上海", "井冈山", "延安", "西柏坡"], [2], "1945年4月至6月，党的七大在延安召开。", 2),
    ("党史", S, "“两个务必”是在哪次会议上提出的？", ["党的七届二中全会", "遵义会议", "党的八大", "党的十一届三中全会"], [0], "1949年3月，毛泽东同志在西柏坡召开的党的七届二中全会上提出“两个务必”。", 2),
    ("党章党规", S, "预备党员的预备期为多长时间？", ["半年", "一年", "两年", "三年"], [1], "党章规定：预备党员的预备期为一年。", 1),
    ("党章党规", S, "党员没有正当理由，连续多长时间不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党？", ["三个月", "六个月", "九个月", "一年"], [1], "党章第九条：连续六个月。", 2),
    ("党章党规", S, "有正式党员几人以上的党支部，设立支部委员会？", ["三人", "五人", "七人", "十人"], [2], "党章规定：有正式党员七人以上的党支部，设立支部委员会。", 2),
    ("党章党规", S, "党的纪律处分有几种？", ["三种", "四种", "五种", "六种"], [2], "警告、严重警告、撤销党内职务、留党察看、开除党籍，共五种。", 1),
    ("组织工作", S, "“三会一课”中的“一课”是指什么？", ["党课", "团课", "业务课", "形势政策课"], [0], "“三会一课”：支部党员大会、支部委员会、党小组会和党课。", 1),
    ("组织工作", S, "党员领导干部每年至少在所在党支部或者联系点讲几次党课？", ["一次", "两次", "三次", "四次"], [0], "党员领导干部每年至少在所在党支部或者联系点讲一次党课。", 2),
    ("干部工作", S, "按照《党政领导干部选拔任用工作条例》，提任县处级领导职务的，一般应当具有几年以上工龄？", ["二年", "三年", "五年", "八年"], [2], "提任县处级领导职务的，应当具有五年以上工龄和两年以上基层工作经历。", 3),
    ("干部工作", S, "领导干部任职前公示期一般为多长时间？", ["三个工作日", "不少于五个工作日", "七个自然日", "十个工作日"], [1], "任职前公示期不少于五个工作日。", 2),
    ("公务员管理", S, "新录用的公务员试用期为多长时间？", ["三个月", "六个月", "一年", "两年"], [2], "公务员法规定：新录用的公务员试用期为一年。", 1),
    ("公务员管理", S, "公务员年度考核的结果分为几个等次？", ["三个", "四个", "五个", "两个"], [1], "优秀、称职、基本称职和不称职四个等次。", 1),
    ("组织工作", S, "发展党员工作中，入党积极分子一般由几名正式党员作培养联系人？", ["一名", "一至两名", "三名", "五名"], [1], "党组织应当指定一至两名正式党员作入党积极分子的培养联系人。", 2),
    ("组织工作", M, "“三会一课”中的“三会”包括哪些？", ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"], [0, 1, 2], "", 1),
    ("党章党规", M, "下列属于党的纪律处分的有？", ["警告", "严重警告", "留党察看", "行政记过"], [0, 1, 2], "行政记过是政务处分，不是党纪处分。", 2),
    ("公务员管理", M, "公务员年度考核结果的等次有哪些？", ["优秀", "称职", "基本称职", "良好"], [0, 1, 2], "另有“不称职”等次；没有“良好”。", 2),
    ("党的创新理论", M, "“四个自信”包括哪些？", ["道路自信", "理论自信", "制度自信", "文化自信", "历史自信"], [0, 1, 2, 3], "中国特色社会主义道路自信、理论自信、制度自信、文化自信。", 1),
    ("党章党规", M, "下列属于党员权利的有？", ["参加党的有关会议，阅读党的有关文件，接受党的教育和培训", "行使表决权、选举权，有被选举权", "对党的工作提出建议和倡议", "可以不参加党的组织生活"], [0, 1, 2], "参加组织生活是党员的义务。", 2),
    ("干部工作", M, "新时代好干部标准包括哪些？", ["信念坚定", "为民服务", "勤政务实", "敢于担当", "资历深厚"], [0, 1, 2, 3], "信念坚定、为民服务、勤政务实、敢于担当、清正廉洁。", 2),
    ("党章党规", T, "预备党员的预备期，从支部大会通过他为预备党员之日算起。", [], [True], "党章第七条。", 1),
    ("党章党规", T, "党员领导干部可以不参加所在党支部的组织生活。", [], [False], "党员领导干部应当以普通党员身份参加所在党支部的组织生活。", 1),
    ("组织工作", T, "发展党员，必须经过党的支部，坚持个别吸收的原则。", [], [True], "党章第五条。", 1),
    ("党章党规", T, "党组织讨论决定问题，必须执行少数服从多数的原则。", [], [True], "党章第十条。", 1),
    ("干部工作", T, "选拔任用党政领导干部，可以不经过民主推荐。", [], [False], "选拔任用党政领导干部，应当经过民主推荐。", 2),
    ("党史", T, "遵义会议是党的历史上一个生死攸关的转折点。", [], [True], "", 1),
    ("党史", F, "中国共产党第一次全国代表大会于（　）年7月在（　）召开。", [], [["1921", "1921年"], ["上海", "上海市"]], "", 1),
    ("党章党规", F, "党的基层组织是党在社会基层组织中的（　），是党的全部工作和战斗力的基础。", [], [["战斗堡垒"]], "党章第三十条。", 2),
    ("组织工作", F, "“三会一课”中的“一课”指的是（　）。", [], [["党课"]], "", 1),
    ("干部工作", A, "结合本职工作，谈谈组工干部如何做到“讲政治、重公道、业务精、作风好”。", [], [], "", 3),
    ("组织工作", A, "简述发展党员的主要程序。", [], [], "", 2),
]  # fmt: skip
REFERENCES = {
    "简述发展党员的主要程序。": "递交入党申请书→确定入党积极分子→确定发展对象→接收预备党员→预备党员的教育考察和转正。",
}


def _bank(admin, league) -> Bank:
    bank = Bank.objects.create(
        name=BANK, unit=league, practice_open=True, created_by=admin, description="盟委组织部编制，供全盟组工干部学习和练习。"
    )
    categories = {c.name: c for c in Category.objects.all()}
    Question.objects.bulk_create(
        [
            Question(
                bank=bank,
                category=categories.get(cat) or Category.objects.get_or_create(name=cat)[0],
                type=qtype,
                text=text,
                options=options,
                answer=answer,
                explanation=explanation,
                reference=REFERENCES.get(text, ""),
                difficulty=difficulty,
                fingerprint=fingerprint(qtype, text, options),
                created_by=admin,
            )
            for cat, qtype, text, options, answer, explanation, difficulty in QUESTIONS
        ]
    )
    return bank


def _papers(admin, league, bank) -> tuple[Paper, Paper]:
    quiz = Paper.objects.create(title="党史知识竞答（随机抽题）", unit=league, mode=PaperMode.RANDOM, created_by=admin)
    quiz.banks.set([bank])
    for i, (qtype, count, points) in enumerate([(S, 10, 4), (M, 5, 6), (T, 5, 4), (F, 2, 5)]):
        PaperRule.objects.create(paper=quiz, type=qtype, count=count, points=Decimal(points), position=i)
    test = Paper.objects.create(
        title="组织工作业务测试卷", unit=league, mode=PaperMode.FIXED, created_by=admin, shuffle_options=True
    )
    picks = [(S, 5, 6), (M, 3, 10), (T, 4, 5), (A, 1, 20)]
    position = 1
    for qtype, count, points in picks:
        for question in Question.objects.filter(bank=bank, type=qtype).exclude(category__name="党史").order_by("pk")[:count]:
            PaperQuestion.objects.create(paper=test, question=question, points=Decimal(points), position=position)
            position += 1
    return quiz, test


def _indicator(actor) -> Indicator | None:
    campaign = Campaign.objects.filter(
        is_closed=False, start_date__lte=timezone.localdate(), end_date__gte=timezone.localdate()
    ).first()
    if campaign is None:
        return None
    return Indicator.objects.filter(campaign=campaign, name="知识测试").first() or indicator_save(
        actor=actor, campaign=campaign, dimension=Dimension.THEORY, name="知识测试", max_points=Decimal("10"), sort_order=15
    )


def _answer(rng: random.Random, item, ability: float):
    """A simulated answer: right with the person's ability (less on harder items), else a wrong one."""
    shown, key = item.shown, item.key["answer"]
    right = rng.random() < ability
    qtype = shown["type"]
    if qtype == "short":
        return ["按照要求，认真学习，结合工作实际……" if right else "加强学习。"]
    if qtype == "fill":
        return [accepted[0] if right else "不清楚" for accepted in key]
    if qtype == "truefalse":
        return key if right else [not key[0]]
    options = list(range(len(shown["options"])))
    if right:
        return key
    if qtype == "multiple" and rng.random() < 0.5:
        return key[:-1]  # 少选
    wrong = [i for i in options if i not in key]
    return [rng.choice(wrong)] if qtype == "single" else sorted(set(key[:1] + [rng.choice(wrong)]))


def _takers(cadre) -> list[User]:
    """Four active cadres of each county (accounts opened for them, no password) and the demo cadre."""
    users = [cadre]
    for county in Unit.objects.filter(kind=UnitKind.COUNTY_DEPT, is_active=True).order_by("path"):
        people = Person.objects.filter(
            unit__path__startswith=county.path, status=PersonStatus.ACTIVE, is_org_cadre=True, account__isnull=True
        ).order_by("pk")[:4]
        for person in people:
            users.append(
                User.objects.create(
                    username=f"cadre{person.pk}",
                    full_name=person.name,
                    person=person,
                    password=make_password(None),
                    must_change_password=True,
                )
            )
    return users


def _past_test(admin, league, paper, indicator, cadre) -> int:
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    opens = timezone.make_aware(dt.datetime.combine(last_month, dt.time(9, 0)))
    now = timezone.now()
    exam = services.exam_save(
        actor=admin,
        data=services.ExamData(
            title=f"组织工作业务测试（{last_month.month}月）",
            kind=ExamKind.TEST,
            unit=league,
            paper=paper,
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(hours=1),
            time_limit=60,
            pass_mark=Decimal("60"),
            partial="proportional",
            reveal="after_close",
            units=[league],
            campaign=indicator.campaign if indicator else None,
            indicator=indicator,
            full_points=Decimal("3") if indicator else None,
            pass_points=Decimal("1") if indicator else None,
            description="检验组织工作业务知识掌握情况，含简答题一道，由盟委组织部阅卷。",
        ),
    )
    exam = services.exam_publish(actor=admin, exam=exam)
    takers = _takers(cadre)
    rng = random.Random(2026)
    for n, user in enumerate(takers):
        ability = 0.55 if user == cadre else 0.45 + 0.5 * rng.random()
        attempt, _ = services.start(user=user, exam=exam)
        answers = [(item.position, _answer(rng, item, ability)) for item in attempt.items.all()]
        services.submit(user=user, attempt=attempt, answers=answers)
        started = opens + dt.timedelta(minutes=7 * n)
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=started,
            deadline=started + dt.timedelta(minutes=60),
            submitted_at=started + dt.timedelta(minutes=20 + n % 30),
        )
    # the window as it was: last month, one day
    type(exam).objects.filter(pk=exam.pk).update(opens_at=opens, closes_at=opens + dt.timedelta(hours=9), published_at=opens)
    exam.refresh_from_db()
    waiting = list(services.grading_queue(admin, exam))
    for item in waiting[2:]:  # all marked but two: the 阅卷 page has work
        services.grade_item(actor=admin, item=item, score=str(rng.choice([10, 12, 14, 16, 18])), comment="要点基本齐全。")
    for user in takers:
        tasks.follow_result(exam.pk, user.person_id)
    return len(takers)


def load_exams_demo() -> int:
    admin = User.objects.filter(username="league").first()
    cadre = User.objects.filter(username="cadre").first()
    league = Unit.objects.get_root_nodes().first()
    if not (admin and cadre and cadre.person_id and league) or Bank.objects.filter(name=BANK).exists():
        return 0
    with context.acting_as(admin, ip="127.0.0.1"):
        bank = _bank(admin, league)
        quiz_paper, test_paper = _papers(admin, league, bank)
        indicator = _indicator(admin)
        now = timezone.localtime()
        quiz = services.exam_save(
            actor=admin,
            data=services.ExamData(
                title=f"{now.year}年党史知识竞答",
                unit=league,
                paper=quiz_paper,
                opens_at=now.replace(hour=8, minute=0, second=0, microsecond=0) - dt.timedelta(days=2),
                closes_at=now.replace(hour=18, minute=0, second=0, microsecond=0) + dt.timedelta(days=5),
                time_limit=30,
                attempts_allowed=2,
                pass_mark=Decimal("60"),
                reveal="after_submit",
                units=[league],
                campaign=indicator.campaign if indicator else None,
                indicator=indicator,
                full_points=Decimal("3") if indicator else None,
                pass_points=Decimal("1") if indicator else None,
                description="每人随机抽取 22 题，限时 30 分钟，可答两次，取最高分。满分得 3 分、及格得 1 分，计入“知识测试”。",
            ),
        )
        services.exam_publish(actor=admin, exam=quiz)
        taken = _past_test(admin, league, test_paper, indicator, cadre)
        tomorrow = (now + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        onsite = services.exam_save(
            actor=admin,
            data=services.ExamData(
                title="组织工作现场考评",
                kind=ExamKind.ONSITE,
                unit=league,
                paper=test_paper,
                room="盟委组织部三楼会议室",
                opens_at=tomorrow,
                closes_at=tomorrow + dt.timedelta(minutes=90),
                time_limit=60,
                pass_mark=Decimal("60"),
                units=[league],
                description="把考场设在工作现场：各旗县市区委组织部业务骨干现场作答，盟委组织部现场监考。",
            ),
        )
        services.exam_publish(actor=admin, exam=onsite)
    return len(QUESTIONS) + 3 + taken
