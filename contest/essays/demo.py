"""Demo writing contest: "Viết về tấm gương điển hình học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí
Minh năm 2026", open now, with three categories, three submitted entries (one of them collective) and a draft of the
demo member (thisinh@example.com) to go on with.

seed_essay_demo() is idempotent: once the contest exists it adds nothing. The demo accounts must exist already
(contest.demo.seed makes them). The word limits are lower than a real contest's so that the demo texts fit.
The collective entry quotes a long passage of the first one, so the similarity check has a pair to show.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import clock
from contest.essays import services as essays
from contest.extensions import db

SLUG = "viet-ve-tam-guong-dien-hinh-2026"
TITLE = ("Viết về tấm gương điển hình học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026")
DESCRIPTION = """Cuộc thi viết dành cho cán bộ, đảng viên, đoàn viên, học sinh, sinh viên và nhân dân Thủ đô, góp \
phần thực hiện Chỉ thị 05-CT/TW và Kết luận 01-KL/TW của Bộ Chính trị: phát hiện, tôn vinh và nhân rộng những tấm \
gương điển hình, những việc làm nhỏ mà ý nghĩa trong học tập và làm theo Bác ở cơ sở.

Mỗi bài viết kể về một người thật, việc thật: một cán bộ gần dân, sát dân; một đảng viên gương mẫu; một học sinh, \
sinh viên sống đẹp; hoặc một tập thể tiêu biểu. Bài viết được lưu tự động khi soạn; người dự thi có thể sửa hoặc \
rút bài đến khi hết hạn nhận bài."""
THEME = "Những tấm gương bình dị mà cao quý quanh ta"
RULES_HTML = (
    "<h2>Đối tượng</h2><p>Mọi công dân đang sinh sống, học tập, công tác trên địa bàn Thành phố Hà Nội.</p>"
    "<h2>Yêu cầu bài viết</h2><ul><li>Viết về người thật, việc thật, có tên, địa chỉ cụ thể.</li>"
    "<li>Bài viết chưa đăng trên báo chí, chưa gửi dự thi ở cuộc thi khác.</li>"
    "<li>Mỗi người gửi tối đa 2 bài; bài tập thể ghi rõ các đồng tác giả.</li></ul>"
    "<h2>Giải thưởng</h2><p>Mỗi hạng mục: 1 giải Nhất, 2 giải Nhì, 3 giải Ba và 5 giải Khuyến khích.</p>")
CATEGORIES = [
    {"name": "Cán bộ, đảng viên", "min_words": 200, "max_words": 3000,
     "description": "Bài viết của cán bộ, đảng viên về tấm gương ở cơ quan, chi bộ, khu dân cư."},
    {"name": "Học sinh, sinh viên", "min_words": 200, "max_words": 2000,
     "description": "Bài viết của học sinh, sinh viên, đoàn viên thanh niên."},
    {"name": "Tác phẩm tập thể", "min_words": 250, "max_words": 5000,
     "description": "Bài viết chung của một nhóm tác giả (tối đa 10 người)."},
]
DEMO_MEMBER = "thisinh@example.com"

SHARED = ("Sáng nào ông cũng đi một vòng quanh khu phố, dừng lại hỏi han từng nhà, nghe bà con nói chuyện điện "
          "nước, đường ngõ, chuyện học hành của con cháu, rồi ghi cẩn thận vào cuốn sổ nhỏ luôn mang trong túi áo")

ENTRIES = [
    {
        "author": "Đỗ Thị Hồng Nhung", "category": 0, "hours_ago": 150,
        "title": "Cuốn sổ nhỏ của người bí thư chi bộ",
        "subject_name": "Nguyễn Văn Lâm", "subject_unit": "Chi bộ Tổ dân phố số 1, Phường Ba Đình",
        "subject_description": "Bí thư Chi bộ Tổ dân phố số 1, 42 năm tuổi Đảng, cựu chiến binh.",
        "paragraphs": [
            "Ở Tổ dân phố số 1, ai cũng quen dáng người gầy, mái tóc bạc và chiếc xe đạp cũ của ông Nguyễn Văn "
            "Lâm, bí thư chi bộ đã hơn mười năm nay. " + SHARED + ".",
            "Cuốn sổ ấy là nơi ông ghi lại những việc chưa làm được. Có trang ghi chiếc cống bị tắc ở ngõ 12, có "
            "trang ghi tên một cháu nhỏ nhà khó khăn cần học bổng, có trang ghi lời phàn nàn của một bà cụ sống "
            "một mình. Việc nào xong, ông gạch đi bằng mực đỏ, và hiếm có trang nào để lâu mà chưa gạch.",
            "Ông thường nói với chúng tôi rằng Bác dạy việc gì có lợi cho dân thì phải hết sức làm, việc gì có "
            "hại cho dân thì phải hết sức tránh. Với ông, lời dạy ấy không nằm trên khẩu hiệu mà nằm trong những "
            "buổi tối đi vận động từng hộ góp tiền lắp đèn chiếu sáng cho ngõ, trong những lần kiên nhẫn hòa giải "
            "chuyện tranh chấp lối đi giữa hai gia đình hàng xóm.",
            "Năm ngoái, khi phường triển khai thủ tục hành chính trực tuyến, nhiều cụ cao tuổi lúng túng. Ông Lâm "
            "mời các cháu đoàn viên đến nhà văn hóa, mỗi tối hướng dẫn vài hộ cài đặt ứng dụng, làm thử từng bước. "
            "Chỉ sau hai tháng, phần lớn các gia đình trong tổ đã tự làm được những thủ tục đơn giản.",
            "Chi bộ của ông nhiều năm liền hoàn thành xuất sắc nhiệm vụ. Nhưng điều chúng tôi quý nhất ở ông là "
            "sự gương mẫu: nói ít, làm nhiều, việc chung bao giờ cũng đến trước việc riêng. Nhìn ông, tôi hiểu "
            "học và làm theo Bác bắt đầu từ những việc rất nhỏ, làm đều đặn mỗi ngày.",
        ],
    },
    {
        "author": "Lý Thị Ngọc Ánh", "category": 1, "hours_ago": 80,
        "title": "Lớp học buổi tối của anh sinh viên sư phạm",
        "subject_name": "Nguyễn Minh Đức", "subject_unit": "Chi đoàn K74 Lịch sử, Trường Đại học Sư phạm Hà Nội",
        "subject_description": "Sinh viên năm ba, người mở lớp học miễn phí cho con em công nhân ở khu nhà trọ.",
        "paragraphs": [
            "Mỗi tối thứ Ba và thứ Năm, căn phòng nhỏ ở cuối dãy trọ gần trường lại sáng đèn. Đó là lớp học "
            "miễn phí mà anh Nguyễn Minh Đức, sinh viên khoa Lịch sử, mở cho các em nhỏ là con công nhân thuê "
            "trọ quanh đó.",
            "Anh Đức kể, lúc đầu chỉ có ba em đến học. Bố mẹ các em đi làm ca đến khuya, bài vở ở trường không "
            "ai kèm. Anh mượn bàn ghế cũ của chủ trọ, xin sách giáo khoa cũ từ các bạn cùng lớp, rồi tự soạn bài "
            "cho từng em. Đến nay lớp đã có gần hai mươi học sinh, và thêm năm bạn sinh viên cùng tham gia dạy.",
            "Điều làm tôi cảm động là cách anh dạy các em lịch sử. Anh không bắt các em học thuộc năm tháng, mà "
            "kể chuyện Bác Hồ ra đi tìm đường cứu nước, chuyện Bác viết thư cho thiếu nhi, chuyện Bác dặn các "
            "cháu học tập tốt, lao động tốt. Những câu chuyện giản dị ấy khiến các em háo hức đến lớp.",
            "Anh Đức vẫn là một sinh viên bình thường, vẫn lo thi cử và làm thêm để trang trải. Nhưng anh nói, "
            "được nhìn các em tiến bộ từng ngày là niềm vui lớn nhất. Học kỳ vừa rồi, hai em trong lớp đạt học "
            "sinh giỏi cấp trường, và cả lớp cùng làm một tờ báo tường tặng thầy Đức.",
            "Chi đoàn chúng tôi đã chọn lớp học của anh làm công trình thanh niên của năm. Tấm gương của anh nhắc "
            "chúng tôi rằng tuổi trẻ làm theo lời Bác không cần điều gì lớn lao, chỉ cần một tấm lòng biết sẻ "
            "chia và sự bền bỉ với việc mình đã chọn.",
        ],
    },
    {
        "author": "Ngô Thị Thu Hà", "category": 2, "hours_ago": 30, "coauthors": ["Đặng Minh Tuấn"],
        "title": "Những người giữ lửa nếp làng",
        "subject_name": "Tổ hòa giải thôn Vân Đình", "subject_unit": "Xã Ứng Hòa",
        "subject_description": "Tổ hòa giải gồm năm thành viên, nhiều năm liền không để xảy ra khiếu kiện vượt cấp.",
        "paragraphs": [
            "Ở thôn Vân Đình có một tổ hòa giải mà người dân quen gọi là tổ giữ lửa. Tổ có năm người: một cựu "
            "giáo viên, một cựu chiến binh, chi hội trưởng phụ nữ, bí thư chi đoàn và trưởng thôn.",
            "Người tổ trưởng, bác Phạm Văn Hòa, có thói quen rất giống nhiều bí thư chi bộ mà chúng tôi từng gặp. "
            + SHARED + ". Nhờ vậy, nhiều mâu thuẫn được phát hiện và hóa giải từ khi còn nhỏ.",
            "Có lần, hai anh em ruột trong thôn tranh chấp mảnh đất hương hỏa, đã tính chuyện đưa nhau ra tòa. Tổ "
            "hòa giải đến từng nhà, ngồi nghe cả hai bên, mời các cụ cao niên trong họ cùng phân giải. Sau ba buổi "
            "tối, hai anh em bắt tay nhau và cùng góp tiền sửa lại nhà thờ họ.",
            "Tổ còn vận động bà con tổ chức đám cưới văn minh, tiết kiệm. Từ khi thôn làm mô hình cưới tập thể, "
            "nhiều gia đình trẻ đã chọn cách tổ chức giản dị, dành tiền mừng cho quỹ khuyến học của thôn.",
            "Chúng tôi, những người viết bài này, đều lớn lên ở Vân Đình. Nhìn những việc tổ hòa giải đã làm, "
            "chúng tôi hiểu vì sao Bác dặn dễ mười lần không dân cũng chịu, khó vạn lần dân liệu cũng xong. Giữ "
            "được lòng dân, giữ được nếp làng, ấy là cách thiết thực nhất để học và làm theo Bác ở cơ sở.",
        ],
    },
]
DRAFT = {
    "title": "Người tổ trưởng của khu tập thể",
    "subject_name": "Trần Thị Mận", "subject_unit": "Tổ dân phố Thạch Bàn 1, Phường Long Biên",
    "paragraphs": [
        "Bà Trần Thị Mận làm tổ trưởng tổ dân phố đã mười lăm năm. Ai có việc gì, từ chuyện rác thải đến chuyện "
        "con cái, cũng tìm đến bà. Bà hay nói: việc của dân thì không có việc nào nhỏ.",
        "(Còn viết tiếp: chuyện bà vận động cả tổ làm tuyến phố xanh, sạch, đẹp.)",
    ],
}


def _morning(now: datetime, days: int) -> datetime:
    """08:00 in Hà Nội, `days` from today, in UTC."""
    local = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=days)
    return local.replace(hour=8, minute=0, second=0, microsecond=0).astimezone(UTC)


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _user(full_name: str | None = None, email: str | None = None) -> User | None:
    stmt = select(User).where(User.email == email) if email else select(User).where(User.full_name == full_name)
    return db.session.scalar(stmt.order_by(User.id).limit(1))


def seed_essay_demo(now: datetime | None = None) -> int:
    """Add the demo writing contest with its categories and entries; returns rows created (0 when it exists)."""
    now = now or clock.utcnow()
    if db.session.scalar(select(Contest.id).where(Contest.slug == SLUG)) is not None:
        return 0
    organiser = _user(email="tochuc@example.com")
    if organiser is None:
        return 0  # the demo accounts come first (contest.demo.seed)
    opens_at = _morning(now, -10)
    contest = Contest(slug=SLUG, kind="essay", title=TITLE, description=DESCRIPTION, status="announced",
                      opens_at=opens_at, closes_at=_morning(now, 40), created_by_id=organiser.id)
    db.session.add(contest)
    db.session.flush()
    essays.update_settings(contest, {"theme": THEME, "rules_html": RULES_HTML, "max_entries_per_writer": 2,
                                     "allow_collective": True}, organiser)
    categories = [essays.add_category(contest, spec, organiser) for spec in CATEGORIES]
    created = 2 + len(categories)
    for spec in ENTRIES:
        author = _user(full_name=spec["author"])
        if author is None:
            continue
        at = max(now - timedelta(hours=spec["hours_ago"]), opens_at + timedelta(hours=3))
        coauthors = []
        for name in spec.get("coauthors", []):
            friend = _user(full_name=name)
            coauthors.append({"full_name": name, "email": friend.email if friend else "",
                              "unit_id": friend.unit_id if friend else None})
        entry = essays.create_entry(contest, author, {
            "title": spec["title"], "category_id": categories[spec["category"]].id,
            "subject_name": spec["subject_name"], "subject_unit": spec["subject_unit"],
            "subject_description": spec["subject_description"], "body_html": _html(spec["paragraphs"][:2]),
            "coauthors": coauthors}, now=at - timedelta(hours=2))
        essays.save_entry(entry, author, {"body_html": _html(spec["paragraphs"])}, base_version=1,
                          now=at - timedelta(minutes=20))
        essays.submit_entry(entry, author, pledge=True, publish_consent=True, now=at, notify=False)
        created += 1
    member = _user(email=DEMO_MEMBER)
    if member is not None:
        essays.create_entry(contest, member, {
            "title": DRAFT["title"], "category_id": categories[0].id, "subject_name": DRAFT["subject_name"],
            "subject_unit": DRAFT["subject_unit"], "body_html": _html(DRAFT["paragraphs"])},
            now=max(now - timedelta(hours=3), opens_at))
        created += 1
    db.session.flush()
    # Organisers find the similarity page already filled: the collective entry quotes the first one.
    from contest.essays import checks

    created += checks.run_check(contest, now=now)
    return created


__all__ = ["SLUG", "seed_essay_demo"]
