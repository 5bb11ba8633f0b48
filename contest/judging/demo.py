"""Demo judging: a second writing contest, "Kể chuyện người tốt, việc tốt ở cơ sở năm 2025", closed a few days
ago with eight submitted entries from demo members in different units, and its preliminary round open now: four
judges on the panel (the demo judge giamkhao@example.com and three more, password matkhau-demo), the entries
taken and assigned two judges each, some scores submitted by the other judges (one entry with judges far apart,
so the results page has a flag), and the demo judge's assignments still waiting. One entry names its writer in
its text, so the round's blind check has something to show.

seed_judging_demo() is idempotent: judges missing are created; once the contest exists nothing else is added.
The demo accounts must exist already (contest.demo.seed makes them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from contest.accounts import services as accounts
from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import clock
from contest.essays import services as essays
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.units.models import Unit

SLUG = "ke-chuyen-nguoi-tot-viec-tot-2025"
TITLE = "Kể chuyện người tốt, việc tốt ở cơ sở năm 2025"
DESCRIPTION = """Cuộc thi viết về những người tốt, việc tốt ở tổ dân phố, thôn, trường học và cơ quan trên địa bàn \
Thủ đô, hưởng ứng phong trào "Dân vận khéo" và việc thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Đã hết hạn nhận bài; các bài dự thi đang được chấm sơ khảo."""
THEME = "Việc nhỏ nghĩa lớn"
DEMO_PASSWORD = "matkhau-demo"  # noqa: S105 (printed for the demo)
DEMO_JUDGE = "giamkhao@example.com"

# The three judges beside the demo judge: (email, name, unit path from the demo tree).
JUDGES = [
    ("giamkhao2@example.com", "Nguyễn Thị Thanh Hương", ("Thành phố Hà Nội", "Phường Tây Hồ")),
    ("giamkhao3@example.com", "Đào Văn Phúc", ("Thành phố Hà Nội", "Xã Đan Phượng")),
    ("giamkhao4@example.com", "Hà Minh Tâm", ("Thành phố Hà Nội", "Phường Hoàng Mai")),
]

RUBRIC = [{"name": "Nội dung, tính chân thực", "max_score": 10, "weight": 40},
          {"name": "Sức lan tỏa, tính giáo dục", "max_score": 10, "weight": 30},
          {"name": "Sáng tạo trong cách kể", "max_score": 10, "weight": 20},
          {"name": "Hình thức, chính tả", "max_score": 5, "weight": 10}]

# (writer, title, person written about, their unit, paragraphs). The writers are demo members (contest.demo).
ENTRIES = [
    ("Đỗ Thị Hồng Nhung", "Bà tổ trưởng và những ngõ nhỏ sáng đèn", "Lê Thị Thoa", "Tổ dân phố số 1, Phường Ba Đình", [
        "Bà Lê Thị Thoa làm tổ trưởng tổ dân phố đã mười hai năm. Ngõ nhỏ nơi bà ở từng tối om mỗi khi trời "
        "mưa, người đi làm về muộn phải soi đèn điện thoại mà đi.",
        "Bà đi từng nhà bàn chuyện lắp đèn chiếu sáng, nhà góp tiền, nhà góp công, các cháu đoàn viên đi dây. "
        "Chỉ sau một tháng, cả năm ngõ nhỏ đã sáng đèn, và bà con gọi đó là những con ngõ của bà Thoa.",
        "Bà bảo, việc của dân thì không có việc nào nhỏ. Tôi nghĩ đó cũng là cách bà học và làm theo Bác: "
        "lắng nghe dân, bàn với dân và cùng dân làm những việc thiết thực nhất.",
    ]),
    ("Vũ Đức Thắng", "Thầy giáo dạy bơi miễn phí", "Phạm Văn Cường", "Trường THCS Phan Chu Trinh", [
        "Mỗi mùa hè, thầy Phạm Văn Cường, giáo viên thể dục, lại mở lớp dạy bơi miễn phí cho học sinh trong "
        "phường. Thầy mượn bể bơi của một trung tâm thể thao, tự bỏ tiền mua phao và kính bơi cho các em.",
        "Đã có hơn ba trăm em biết bơi sau những lớp học ấy. Nhiều phụ huynh kể rằng trước kia họ lo lắng mỗi "
        "lần con về quê chơi gần sông, nay thì yên tâm hơn nhiều.",
        "Thầy không nhận lời cảm ơn nào, chỉ dặn các em bơi giỏi rồi thì giúp bạn bè cùng biết bơi. Tấm gương "
        "lặng lẽ của thầy nhắc chúng tôi rằng yêu thương học trò là làm những việc cụ thể mỗi ngày.",
    ]),
    ("Hoàng Thị Lan", "Bếp ăn nghĩa tình ở cổng bệnh viện", "Nguyễn Thị Hòa", "Phường Hoàng Mai", [
        "Năm giờ sáng, bếp ăn của cô Nguyễn Thị Hòa đã đỏ lửa. Hai trăm suất cháo nóng được đóng hộp, chở "
        "đến cổng bệnh viện phát cho người nhà bệnh nhân nghèo.",
        "Bếp ăn bắt đầu từ mấy nồi cháo cô nấu cho hàng xóm nằm viện. Dần dần, các hội viên phụ nữ, các cháu "
        "sinh viên và cả những người từng nhận cháo cùng góp gạo, góp công.",
        "Cô Hòa nói, giúp người lúc khó là điều ai cũng làm được, miễn là có lòng. Bếp ăn của cô đã trở thành "
        "một mô hình dân vận khéo của phường, bền bỉ suốt tám năm nay.",
    ]),
    ("Bùi Văn Hùng", "Người cựu chiến binh giữ rừng phòng hộ", "Trần Văn Bảy", "Tổ dân phố Phú Thịnh, Phường Sơn Tây", [
        "Tôi là Bùi Văn Hùng, hàng xóm của ông Trần Văn Bảy, và đã nhiều lần theo ông lên đồi. Ông là cựu "
        "chiến binh, năm nay đã ngoài bảy mươi tuổi.",
        "Hơn hai mươi năm, ông tự nguyện trông coi mấy chục héc-ta rừng phòng hộ sau khu dân cư, ngăn người "
        "chặt trộm, trồng bù những cây bị bão quật đổ.",
        "Ông bảo, còn sức thì còn giữ rừng, vì rừng giữ nước, giữ đất cho con cháu. Sự bền bỉ của ông làm cả "
        "khu phố nể phục và nhiều thanh niên đã xin theo ông đi tuần rừng.",
    ]),
    ("Ngô Thị Thu Hà", "Chị cán bộ một cửa luôn nở nụ cười", "Đinh Thị Ngọc", "Xã Ứng Hòa", [
        "Ai đến làm thủ tục ở bộ phận một cửa của xã cũng nhớ nụ cười của chị Đinh Thị Ngọc. Chị hướng dẫn "
        "tận tình từng người, nhất là các cụ cao tuổi chưa quen làm hồ sơ trực tuyến.",
        "Có lần hồ sơ của một gia đình bị chậm vì lỗi của cơ quan, chị viết thư xin lỗi và mang kết quả đến "
        "tận nhà. Gia đình ấy kể lại chuyện này với cả thôn.",
        "Chị nói chị chỉ làm đúng lời Bác dặn: cán bộ là công bộc của dân. Những việc làm giản dị ấy đã góp "
        "phần xây dựng hình ảnh chính quyền thân thiện và trách nhiệm.",
    ]),
    ("Đặng Minh Tuấn", "Tủ sách của người thợ cắt tóc", "Lương Văn Tới", "Thôn Thượng Thụy, Xã Đan Phượng", [
        "Quán cắt tóc nhỏ của anh Lương Văn Tới có một tủ sách đặt ngay cạnh ghế chờ. Ai đến cũng có thể đọc, "
        "mượn về nhà, không cần ghi tên.",
        "Anh dành dụm tiền mua sách, rồi bạn bè, khách quen góp thêm, đến nay tủ đã có hơn một nghìn cuốn. "
        "Trẻ con trong thôn thường rủ nhau đến đọc truyện mỗi chiều.",
        "Anh Tới nói, anh không học nhiều nên muốn các cháu được đọc nhiều. Việc làm nhỏ của anh đã gieo niềm "
        "yêu sách cho cả một thế hệ trẻ trong thôn.",
    ]),
    ("Phan Thị Mai", "Cô giáo của lớp học xóa mù chữ", "Vũ Thị Lanh", "Khu dân cư Quảng An, Phường Tây Hồ", [
        "Đã ngoài sáu mươi tuổi, cô Vũ Thị Lanh vẫn mở lớp học buổi tối cho những người lao động tự do chưa "
        "biết đọc, biết viết trong khu dân cư.",
        "Học viên của cô có người bán hàng rong, có người làm phụ hồ, có người đã bốn mươi tuổi. Cô dạy họ "
        "đọc biển báo, viết đơn, đọc hướng dẫn trên hộp thuốc.",
        "Nhớ lời Bác kêu gọi diệt giặc dốt năm nào, cô bảo mình chỉ tiếp tục một việc dang dở. Đã có hàng chục "
        "người biết chữ nhờ những buổi tối bền bỉ của cô.",
    ]),
    ("Trịnh Quang Huy", "Chàng trai sửa xe miễn phí cho người già", "Nguyễn Hữu Nghĩa", "Thôn Bình Đà, Xã Thanh Oai", [
        "Ở đầu thôn Bình Đà có một tiệm sửa xe treo tấm biển nhỏ: miễn phí cho người già, người khuyết tật và "
        "học sinh nghèo. Chủ tiệm là anh Nguyễn Hữu Nghĩa, hai mươi tám tuổi.",
        "Anh kể, hồi nhỏ nhà nghèo, xe đạp hỏng là phải đi bộ đến trường. Nay có nghề, anh muốn các em không "
        "phải như mình ngày trước.",
        "Mỗi tháng anh sửa miễn phí hàng trăm chiếc xe. Tấm gương của anh cho thấy tuổi trẻ có thể làm theo "
        "Bác bằng chính nghề nghiệp và tấm lòng của mình.",
    ]),
]

# Scores given by the three other judges, as fractions of each criterion's maximum, by the entry's position in
# ENTRIES. The first entry judged by two of them gets 0.95 and 0.45 instead: judges far apart, flagged.
FRACTIONS = {0: 0.85, 1: 0.7, 2: 0.55, 3: 0.6, 4: 0.8, 5: 0.75, 6: 0.9, 7: 0.65}
APART = (0.95, 0.45)
LEANING = {"giamkhao2@example.com": 0.05, "giamkhao3@example.com": -0.04}


def _unit(path: tuple[str, ...]) -> Unit | None:
    unit = None
    for name in path:
        where = Unit.parent_id == unit.id if unit is not None else Unit.parent_id.is_(None)
        unit = db.session.scalar(select(Unit).where(where, Unit.name == name))
        if unit is None:
            return None
    return unit


def _by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _by_name(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.full_name == name).order_by(User.id).limit(1))


def _ensure_judges() -> tuple[list[User], int]:
    made = 0
    judges = []
    for email, name, path in JUDGES:
        user = _by_email(email)
        if user is None:
            unit = _unit(path)
            if unit is None:
                continue
            user = accounts.register(email, DEMO_PASSWORD, name, unit.id, roles=["judge"])
            made += 1
        judges.append(user)
    return judges, made


def seed_judging_demo(now: datetime | None = None) -> int:
    """Add the judging demo; returns rows created (0 when it exists)."""
    now = now or clock.utcnow()
    others, created = _ensure_judges()
    if db.session.scalar(select(Contest.id).where(Contest.slug == SLUG)) is not None:
        return created
    organiser = _by_email("tochuc@example.com")
    demo_judge = _by_email(DEMO_JUDGE)
    if organiser is None or demo_judge is None:
        return created  # the demo accounts come first (contest.demo.seed)
    opens_at, closes_at = now - timedelta(days=40), now - timedelta(days=3)
    contest = Contest(slug=SLUG, kind="essay", title=TITLE, description=DESCRIPTION, status="announced",
                      opens_at=opens_at, closes_at=closes_at, created_by_id=organiser.id)
    db.session.add(contest)
    db.session.flush()
    essays.update_settings(contest, {"theme": THEME, "code_prefix": "NT25", "allow_collective": False}, organiser)
    category = essays.add_category(contest, {"name": "Người tốt, việc tốt", "min_words": 60, "max_words": 2000},
                                   organiser)
    created += 3
    for i, (writer, title, subject, subject_unit, paragraphs) in enumerate(ENTRIES):
        author = _by_name(writer)
        if author is None:
            continue
        at = closes_at - timedelta(days=12 - i, hours=3 * i)
        entry = essays.create_entry(contest, author, {
            "title": title, "category_id": category.id, "subject_name": subject, "subject_unit": subject_unit,
            "body_html": "".join(f"<p>{p}</p>" for p in paragraphs)}, now=at - timedelta(hours=1))
        essays.submit_entry(entry, author, pledge=True, publish_consent=True, now=at, notify=False)
        created += 1

    round_ = rounds.create_round(contest, {
        "title": "Vòng sơ khảo", "stage": "preliminary", "judges_per_entry": 2, "criteria": RUBRIC,
        "opens_at": now - timedelta(days=2), "closes_at": now + timedelta(days=5), "aggregation": "mean",
        "source": "submitted", "reveal_scores": "after_submit", "same_unit_conflicts": True}, organiser)
    rounds.set_judges(round_, [demo_judge.id] + [j.id for j in others], organiser)
    rounds.assign(round_, organiser, now=now - timedelta(days=2))
    created += 1 + rounds.assignment_count(round_)
    codes = {e.entry_id: i for i, e in enumerate(sorted(rounds.round_entries(round_), key=lambda r: r.entry_id))}
    rows = rounds.assignments_of(round_)
    with_demo_judge = {a.entry_id for a in rows if a.judge_id == demo_judge.id}
    apart = next((eid for eid in sorted(codes) if eid not in with_demo_judge), None)
    seen: dict[int, int] = {}
    for row in rows:
        if row.judge_id == demo_judge.id:
            continue  # the demo judge has everything still to do
        position = codes[row.entry_id]
        fraction = FRACTIONS.get(position, 0.7)
        if row.entry_id == apart:
            fraction = APART[seen.get(row.entry_id, 0) % len(APART)]
        seen[row.entry_id] = seen.get(row.entry_id, 0) + 1
        judge = db.session.get(User, row.judge_id)
        if row.entry_id != apart:  # a slightly lenient and a slightly harsh judge, as panels have
            fraction = min(1.0, fraction + LEANING.get(judge.email, 0.0))
        # The last judge leaves their final assignment as a draft: "in progress" on the progress page.
        submit = not (judge.email == JUDGES[-1][0] and row.entry_id != apart and position == max(
            codes[a.entry_id] for a in rows if a.judge_id == judge.id))
        scores = {c.id: round(c.max_score * fraction * 2) / 2 for c in round_.criteria}
        scoring.save_scores(row, judge, scores, comment="Bài viết chân thực, có sức lan tỏa." if submit else "",
                            submit=submit, now=now - timedelta(hours=20 - position))
    db.session.flush()
    return created


__all__ = ["SLUG", "seed_judging_demo"]
