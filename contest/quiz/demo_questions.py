"""Demo questions for the bank: Hồ Chí Minh's life, thought, ethics and style, Chỉ thị 05-CT/TW and Kết luận
01-KL/TW, and how Hà Nội studies and follows his example. Only well-established facts, each with its source.

seed_questions() adds the missing ones (matched by normalised text) and is safe to run again.
"""

from __future__ import annotations

from typing import Any

from contest.quiz import bank

LIFE = "Cuộc đời và sự nghiệp"
THOUGHT = "Tư tưởng Hồ Chí Minh"
ETHICS = "Đạo đức Hồ Chí Minh"
STYLE = "Phong cách Hồ Chí Minh"
DIRECTIVES = "Chỉ thị 05-CT/TW và Kết luận 01-KL/TW"
HANOI = "Học tập và làm theo Bác ở Hà Nội"

MUSEUM = "Bảo tàng Hồ Chí Minh"
CT05 = "Chỉ thị 05-CT/TW ngày 15/5/2016 của Bộ Chính trị"
KL01 = "Kết luận 01-KL/TW ngày 18/5/2021 của Bộ Chính trị"
TESTAMENT = "Di chúc của Chủ tịch Hồ Chí Minh"
HANOI_ARTICLE = ("Hoàng Phúc, “Đưa việc học tập và làm theo Bác ngày càng đi vào nền nếp, chất lượng, hiệu quả”, "
                 "Lao động Thủ đô")


def _q(topic: str, difficulty: int, text: str, options: list[str], explanation: str, source: str) -> dict[str, Any]:
    """A question; the correct options are written with a leading "*"; several correct ones make it multiple."""
    parsed = [{"text": o.removeprefix("*"), "correct": o.startswith("*")} for o in options]
    kind = "multiple" if sum(o["correct"] for o in parsed) > 1 else "single"
    return {"topic": topic, "difficulty": difficulty, "kind": kind, "text": text, "options": parsed,
            "explanation": explanation, "source": source, "status": "approved"}


QUESTIONS: list[dict[str, Any]] = [
    # --- Cuộc đời và sự nghiệp ---------------------------------------------------------------------------------
    _q(LIFE, 1, "Chủ tịch Hồ Chí Minh sinh ngày, tháng, năm nào?",
       ["*19/5/1890", "19/5/1891", "2/9/1890", "3/2/1890"],
       "Chủ tịch Hồ Chí Minh sinh ngày 19/5/1890 tại xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An.", MUSEUM),
    _q(LIFE, 1, "Quê hương của Chủ tịch Hồ Chí Minh ở đâu?",
       ["*Xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An", "Huyện Hoằng Hóa, tỉnh Thanh Hóa",
        "Huyện Can Lộc, tỉnh Hà Tĩnh", "Huyện Phong Điền, tỉnh Thừa Thiên Huế"],
       "Người sinh ra và lớn lên ở xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An.", MUSEUM),
    _q(LIFE, 1, "Tên khai sinh (tên thuở nhỏ) của Chủ tịch Hồ Chí Minh là gì?",
       ["*Nguyễn Sinh Cung", "Nguyễn Tất Thành", "Nguyễn Ái Quốc", "Lý Thụy"],
       "Thuở nhỏ Người tên là Nguyễn Sinh Cung; sau đó là Nguyễn Tất Thành, rồi Nguyễn Ái Quốc và Hồ Chí Minh.",
       MUSEUM),
    _q(LIFE, 2, "Thân phụ của Chủ tịch Hồ Chí Minh là ai?",
       ["*Cụ Nguyễn Sinh Sắc", "Cụ Phan Bội Châu", "Cụ Phan Châu Trinh", "Cụ Huỳnh Thúc Kháng"],
       "Thân phụ của Người là cụ Phó bảng Nguyễn Sinh Sắc; thân mẫu là bà Hoàng Thị Loan.", MUSEUM),
    _q(LIFE, 1, "Ngày 5/6/1911, người thanh niên Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?",
       ["*Bến Nhà Rồng (Sài Gòn)", "Cảng Hải Phòng", "Cảng Đà Nẵng", "Cảng Quy Nhơn"],
       "Ngày 5/6/1911, từ Bến Nhà Rồng, Nguyễn Tất Thành rời Tổ quốc ra đi tìm đường cứu nước.", MUSEUM),
    _q(LIFE, 2, "Nguyễn Tất Thành rời Bến Nhà Rồng ra đi tìm đường cứu nước vào ngày nào?",
       ["*5/6/1911", "19/5/1911", "5/6/1910", "3/2/1911"],
       "Ngày 5/6/1911 nay được kỷ niệm là ngày Bác Hồ ra đi tìm đường cứu nước.", MUSEUM),
    _q(LIFE, 3, "Nguyễn Tất Thành rời Bến Nhà Rồng năm 1911 trên con tàu nào?",
       ["*Amiral Latouche-Tréville", "Titanic", "Normandie", "Île de France"],
       "Người làm việc trên tàu buôn Pháp Amiral Latouche-Tréville khi rời Tổ quốc ngày 5/6/1911.", MUSEUM),
    _q(LIFE, 2, "Ngày 18/6/1919, Nguyễn Ái Quốc gửi tới Hội nghị Versailles văn kiện nào?",
       ["*Bản yêu sách của nhân dân An Nam", "Tuyên ngôn Độc lập", "Đường Kách mệnh", "Bản án chế độ thực dân Pháp"],
       "Bản yêu sách của nhân dân An Nam gồm tám điểm, gửi Hội nghị Versailles, ký tên Nguyễn Ái Quốc.",
       "Hồ Chí Minh Toàn tập, tập 1"),
    _q(LIFE, 2, "Bản yêu sách của nhân dân An Nam gửi Hội nghị Versailles (18/6/1919) gồm bao nhiêu điểm?",
       ["*8 điểm", "6 điểm", "10 điểm", "12 điểm"],
       "Bản yêu sách gồm tám điểm, đòi các quyền tự do, dân chủ cho nhân dân An Nam.",
       "Hồ Chí Minh Toàn tập, tập 1"),
    _q(LIFE, 2, "Bản yêu sách của nhân dân An Nam (1919) được ký với tên nào?",
       ["*Nguyễn Ái Quốc", "Nguyễn Tất Thành", "Hồ Chí Minh", "Nguyễn Sinh Cung"],
       "Lần đầu tiên tên Nguyễn Ái Quốc xuất hiện, dưới Bản yêu sách gửi Hội nghị Versailles ngày 18/6/1919.",
       "Hồ Chí Minh Toàn tập, tập 1"),
    _q(LIFE, 3, "Tháng 7/1920, Nguyễn Ái Quốc đọc văn kiện nào của V.I. Lênin và tìm thấy con đường cứu nước?",
       ["*Sơ thảo lần thứ nhất những luận cương về vấn đề dân tộc và vấn đề thuộc địa", "Nhà nước và cách mạng",
        "Tuyên ngôn của Đảng Cộng sản", "Làm gì?"],
       "Đọc Sơ thảo luận cương của Lênin về vấn đề dân tộc và thuộc địa (7/1920), Người tìm thấy con đường giải "
       "phóng dân tộc.", MUSEUM),
    _q(LIFE, 3, "Tại Đại hội Tours (12/1920), Nguyễn Ái Quốc bỏ phiếu tán thành gia nhập tổ chức nào?",
       ["*Quốc tế thứ ba (Quốc tế Cộng sản)", "Quốc tế thứ hai", "Hội Quốc liên", "Hội Liên hiệp thuộc địa"],
       "Tại Đại hội Tours, Người bỏ phiếu tán thành Quốc tế thứ ba và trở thành một trong những người sáng lập "
       "Đảng Cộng sản Pháp.", MUSEUM),
    _q(LIFE, 2, "Tháng 6/1925, Nguyễn Ái Quốc thành lập tổ chức nào tại Quảng Châu (Trung Quốc)?",
       ["*Hội Việt Nam Cách mạng Thanh niên", "Việt Nam Quốc dân Đảng", "Mặt trận Việt Minh",
        "Tân Việt Cách mạng Đảng"],
       "Hội Việt Nam Cách mạng Thanh niên được Người thành lập ở Quảng Châu tháng 6/1925.", MUSEUM),
    _q(LIFE, 2, "Tác phẩm “Đường Kách mệnh” được xuất bản năm nào?",
       ["*1927", "1925", "1930", "1945"],
       "“Đường Kách mệnh” (1927) tập hợp những bài giảng của Nguyễn Ái Quốc ở các lớp huấn luyện cán bộ tại "
       "Quảng Châu.", MUSEUM),
    _q(LIFE, 1, "Đảng Cộng sản Việt Nam được thành lập ngày nào?",
       ["*3/2/1930", "19/5/1930", "2/9/1930", "6/1/1929"],
       "Ngày 3/2/1930 là ngày thành lập Đảng, tại hội nghị hợp nhất do Nguyễn Ái Quốc chủ trì.", MUSEUM),
    _q(LIFE, 3, "Hội nghị hợp nhất thành lập Đảng Cộng sản Việt Nam (đầu năm 1930) do Nguyễn Ái Quốc chủ trì "
                "diễn ra ở đâu?",
       ["*Hương Cảng (Trung Quốc)", "Pác Bó (Cao Bằng)", "Quảng Châu (Trung Quốc)", "Paris (Pháp)"],
       "Hội nghị hợp nhất các tổ chức cộng sản họp tại Hương Cảng, do Nguyễn Ái Quốc chủ trì.", MUSEUM),
    _q(LIFE, 2, "Ngày 28/1/1941, Nguyễn Ái Quốc trở về Tổ quốc trực tiếp lãnh đạo cách mạng tại đâu?",
       ["*Pác Bó (Cao Bằng)", "Tân Trào (Tuyên Quang)", "Kim Liên (Nghệ An)", "Định Hóa (Thái Nguyên)"],
       "Sau 30 năm hoạt động ở nước ngoài, Người về nước ngày 28/1/1941, ở Pác Bó, Cao Bằng.", MUSEUM),
    _q(LIFE, 2, "Tính đến ngày về nước (28/1/1941), Người đã hoạt động ở nước ngoài khoảng bao nhiêu năm?",
       ["*30 năm", "20 năm", "25 năm", "35 năm"],
       "Người rời Tổ quốc năm 1911 và trở về năm 1941, sau 30 năm.", MUSEUM),
    _q(LIFE, 2, "Mặt trận Việt Nam Độc lập Đồng minh (Việt Minh) được thành lập ngày nào?",
       ["*19/5/1941", "28/1/1941", "19/8/1945", "22/12/1944"],
       "Mặt trận Việt Minh được thành lập ngày 19/5/1941, đúng ngày sinh của Bác.", MUSEUM),
    _q(LIFE, 1, "Ngày 2/9/1945, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập tại đâu?",
       ["*Quảng trường Ba Đình, Hà Nội", "Quảng trường Nhà hát Lớn, Hà Nội", "Tân Trào, Tuyên Quang",
        "Bến Nhà Rồng, Sài Gòn"],
       "Tại Quảng trường Ba Đình, Người đọc Tuyên ngôn Độc lập khai sinh nước Việt Nam Dân chủ Cộng hòa.",
       "Hồ Chí Minh Toàn tập, tập 4"),
    _q(LIFE, 2, "Chủ tịch Hồ Chí Minh soạn thảo bản Tuyên ngôn Độc lập tại ngôi nhà nào ở Hà Nội?",
       ["*Nhà số 48 phố Hàng Ngang", "Nhà sàn trong khu Phủ Chủ tịch", "Nhà số 5 phố Hàng Bông",
        "Nhà số 1 phố Tràng Tiền"],
       "Tháng 8/1945, tại nhà số 48 Hàng Ngang, Người soạn thảo bản Tuyên ngôn Độc lập.", MUSEUM),
    _q(LIFE, 1, "Bản Tuyên ngôn Độc lập ngày 2/9/1945 khai sinh ra nhà nước nào?",
       ["*Việt Nam Dân chủ Cộng hòa", "Cộng hòa Xã hội chủ nghĩa Việt Nam", "Đế quốc Việt Nam",
        "Liên bang Đông Dương"],
       "Nước Việt Nam Dân chủ Cộng hòa ra đời ngày 2/9/1945; năm 1976 đổi tên là Cộng hòa Xã hội chủ nghĩa Việt Nam.",
       "Hồ Chí Minh Toàn tập, tập 4"),
    _q(LIFE, 2, "“Lời kêu gọi toàn quốc kháng chiến” của Chủ tịch Hồ Chí Minh ra đời ngày nào?",
       ["*19/12/1946", "2/9/1945", "19/8/1945", "17/7/1966"],
       "Đêm 19/12/1946, Người ra Lời kêu gọi toàn quốc kháng chiến.", "Hồ Chí Minh Toàn tập, tập 4"),
    _q(LIFE, 2, "Hoàn thành câu trong “Lời kêu gọi toàn quốc kháng chiến”: “Chúng ta thà hy sinh tất cả, chứ "
                "nhất định không chịu mất nước, nhất định không chịu …”",
       ["*làm nô lệ", "đầu hàng", "lùi bước", "chia cắt"],
       "“Chúng ta thà hy sinh tất cả, chứ nhất định không chịu mất nước, nhất định không chịu làm nô lệ.”",
       "Hồ Chí Minh Toàn tập, tập 4"),
    _q(LIFE, 2, "Tập thơ “Nhật ký trong tù” được Người sáng tác trong hoàn cảnh nào?",
       ["*Khi bị chính quyền Tưởng Giới Thạch giam giữ ở Quảng Tây (1942–1943)",
        "Khi ở Pác Bó, Cao Bằng (1941)", "Khi bị giam ở Hương Cảng (1931–1933)", "Khi ở Paris (1919–1923)"],
       "“Nhật ký trong tù” gồm những bài thơ chữ Hán Người viết khi bị giam ở Quảng Tây, Trung Quốc, 1942–1943.",
       MUSEUM),
    _q(LIFE, 3, "Tập thơ “Nhật ký trong tù” được viết bằng chữ gì?",
       ["*Chữ Hán", "Chữ Quốc ngữ", "Chữ Nôm", "Tiếng Pháp"],
       "Các bài thơ trong “Nhật ký trong tù” được Người viết bằng chữ Hán.", MUSEUM),
    _q(LIFE, 2, "Chủ tịch Hồ Chí Minh bắt đầu viết bản Di chúc vào ngày nào?",
       ["*10/5/1965", "19/5/1969", "2/9/1965", "17/7/1966"],
       "Người bắt đầu viết Di chúc ngày 10/5/1965 và bổ sung, sửa chữa trong những năm sau.", TESTAMENT),
    _q(LIFE, 1, "Chủ tịch Hồ Chí Minh qua đời ngày nào, hưởng thọ bao nhiêu tuổi?",
       ["*Ngày 2/9/1969, hưởng thọ 79 tuổi", "Ngày 3/9/1969, hưởng thọ 80 tuổi", "Ngày 2/9/1970, hưởng thọ 80 tuổi",
        "Ngày 19/5/1969, hưởng thọ 79 tuổi"],
       "Người qua đời lúc 9 giờ 47 phút ngày 2/9/1969 tại Hà Nội, hưởng thọ 79 tuổi.", MUSEUM),
    _q(LIFE, 2, "Lăng Chủ tịch Hồ Chí Minh được khánh thành ngày nào?",
       ["*29/8/1975", "2/9/1975", "30/4/1975", "19/5/1976"],
       "Lăng Chủ tịch Hồ Chí Minh tại Quảng trường Ba Đình được khánh thành ngày 29/8/1975.", MUSEUM),
    _q(LIFE, 3, "Năm 1987, tổ chức nào ra nghị quyết tôn vinh Chủ tịch Hồ Chí Minh là Anh hùng giải phóng dân "
                "tộc, Nhà văn hóa kiệt xuất?",
       ["*UNESCO", "Liên hợp quốc (Đại hội đồng)", "Hội đồng Hòa bình thế giới", "Phong trào Không liên kết"],
       "Đại hội đồng UNESCO năm 1987 ra nghị quyết tôn vinh Người, nhân dịp kỷ niệm 100 năm ngày sinh (1990).",
       MUSEUM),

    # --- Tư tưởng Hồ Chí Minh -----------------------------------------------------------------------------------
    _q(THOUGHT, 1, "Câu nói “Không có gì quý hơn độc lập, tự do” được Chủ tịch Hồ Chí Minh nêu trong lời kêu gọi "
                   "năm nào?",
       ["*1966", "1945", "1954", "1969"],
       "Câu nói nằm trong Lời kêu gọi đồng bào và chiến sĩ cả nước ngày 17/7/1966.", "Hồ Chí Minh Toàn tập, tập 15"),
    _q(THOUGHT, 2, "Hoàn thành câu nói của Bác (1958): “Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm "
                   "năm thì phải …”",
       ["*trồng người", "trồng rừng", "học tập", "giữ đất"],
       "“Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm năm thì phải trồng người” — lời Bác năm 1958, "
       "nói về sự nghiệp giáo dục.", "Hồ Chí Minh Toàn tập"),
    _q(THOUGHT, 1, "Câu “Dễ trăm lần không dân cũng chịu, khó vạn lần dân liệu cũng xong” nằm trong bài viết nào "
                   "của Bác?",
       ["*Dân vận (1949)", "Sửa đổi lối làm việc (1947)", "Đường Kách mệnh (1927)", "Di chúc (1969)"],
       "Bài “Dân vận” đăng báo Sự thật ngày 15/10/1949 kết thúc bằng hai câu thơ này.", "Hồ Chí Minh Toàn tập, tập 6"),
    _q(THOUGHT, 2, "Bài báo “Dân vận” của Chủ tịch Hồ Chí Minh được đăng ngày nào?",
       ["*15/10/1949", "19/12/1946", "3/2/1949", "2/9/1949"],
       "“Dân vận” đăng trên báo Sự thật ngày 15/10/1949; đó là gốc của phong trào “Dân vận khéo” hôm nay.",
       "Hồ Chí Minh Toàn tập, tập 6"),
    _q(THOUGHT, 3, "Câu “Dân vận là vận động tất cả lực lượng của mỗi một người dân không để sót một người dân "
                   "nào…” là định nghĩa trong tác phẩm nào?",
       ["*Dân vận", "Sửa đổi lối làm việc", "Đời sống mới", "Thường thức chính trị"],
       "Bài “Dân vận” (1949) định nghĩa dân vận là vận động mọi người dân, góp thành lực lượng toàn dân.",
       "Hồ Chí Minh Toàn tập, tập 6"),
    _q(THOUGHT, 2, "Tác phẩm “Sửa đổi lối làm việc” (tháng 10/1947) được Chủ tịch Hồ Chí Minh ký bút danh nào?",
       ["*X.Y.Z.", "Trần Dân Tiên", "Nguyễn Ái Quốc", "Tân Sinh"],
       "“Sửa đổi lối làm việc” được viết tháng 10/1947, ký bút danh X.Y.Z.", "Hồ Chí Minh Toàn tập, tập 5"),
    _q(THOUGHT, 2, "Trong “Sửa đổi lối làm việc”, Bác viết: “Cán bộ là cái gốc của mọi công việc”. Vì vậy, công "
                   "việc gốc của Đảng là gì?",
       ["*Huấn luyện cán bộ", "Phát triển đảng viên", "Tuyên truyền báo chí", "Xây dựng trụ sở"],
       "“Cán bộ là cái gốc của mọi công việc. Vì vậy, huấn luyện cán bộ là công việc gốc của Đảng.”",
       "Hồ Chí Minh Toàn tập, tập 5"),
    _q(THOUGHT, 2, "Hoàn thành lời Bác: “Đoàn kết, đoàn kết, đại đoàn kết. Thành công, thành công, …”",
       ["*đại thành công", "thắng lợi", "toàn thắng", "mãi mãi thành công"],
       "Câu nói khái quát tư tưởng đại đoàn kết toàn dân tộc của Hồ Chí Minh.", "Hồ Chí Minh Toàn tập"),
    _q(THOUGHT, 1, "Hoàn thành lời Bác: “Nước Việt Nam là một, dân tộc Việt Nam là một. Sông có thể cạn, núi có "
                   "thể mòn, song chân lý ấy …”",
       ["*không bao giờ thay đổi", "mãi mãi trường tồn", "sẽ còn mãi", "là bất diệt"],
       "Lời Bác khẳng định chân lý về sự thống nhất của đất nước và dân tộc Việt Nam.", "Hồ Chí Minh Toàn tập"),
    _q(THOUGHT, 3, "Phần mở đầu bản Tuyên ngôn Độc lập (2/9/1945) dẫn những văn kiện nào?",
       ["*Tuyên ngôn Độc lập năm 1776 của nước Mỹ", "*Tuyên ngôn Nhân quyền và Dân quyền của Cách mạng Pháp",
        "Tuyên ngôn của Đảng Cộng sản", "Hiến chương Liên hợp quốc"],
       "Bác dẫn Tuyên ngôn Độc lập 1776 của Mỹ (“Tất cả mọi người đều sinh ra có quyền bình đẳng…”) và Tuyên "
       "ngôn Nhân quyền và Dân quyền của Cách mạng Pháp.", "Hồ Chí Minh Toàn tập, tập 4"),
    _q(THOUGHT, 2, "Tiêu ngữ của nước Việt Nam từ năm 1945 đến nay là gì?",
       ["*Độc lập – Tự do – Hạnh phúc", "Tự do – Bình đẳng – Bác ái", "Đoàn kết – Thống nhất – Phát triển",
        "Dân giàu – Nước mạnh – Văn minh"],
       "Tiêu ngữ “Độc lập – Tự do – Hạnh phúc” có từ khi nước Việt Nam Dân chủ Cộng hòa ra đời.", MUSEUM),
    _q(THOUGHT, 2, "Theo tư tưởng Hồ Chí Minh, độc lập dân tộc gắn liền với điều gì?",
       ["*Chủ nghĩa xã hội", "Chủ nghĩa tư bản", "Chế độ quân chủ lập hiến", "Sự bảo hộ của nước ngoài"],
       "Độc lập dân tộc gắn liền với chủ nghĩa xã hội là nội dung cốt lõi của tư tưởng Hồ Chí Minh.",
       "Hồ Chí Minh Toàn tập"),
    _q(THOUGHT, 1, "Bác dạy mục đích của việc học là gì?",
       ["*Học để làm việc, làm người, làm cán bộ", "Học để lấy bằng cấp", "Học để được thăng chức",
        "Học để thi cử"],
       "Lời Bác “Học để làm việc, làm người, làm cán bộ” vẫn là phương châm học tập của cán bộ, đảng viên.",
       "Hồ Chí Minh Toàn tập"),

    # --- Đạo đức Hồ Chí Minh -------------------------------------------------------------------------------------
    _q(ETHICS, 1, "Những phẩm chất nào nằm trong lời dạy “Cần, kiệm, liêm, chính, chí công vô tư”?",
       ["*Cần", "*Kiệm", "*Liêm", "*Chính", "Xa hoa", "Hưởng lạc"],
       "Cần, kiệm, liêm, chính, chí công vô tư là những phẩm chất đạo đức cách mạng Bác thường dạy cán bộ, "
       "đảng viên.", "Hồ Chí Minh Toàn tập, tập 6"),
    _q(ETHICS, 2, "Trong lời dạy của Bác, “Cần” nghĩa là gì?",
       ["*Siêng năng, chăm chỉ, cố gắng dẻo dai", "Cẩn thận, dè dặt", "Cần có tiền bạc", "Cần được khen thưởng"],
       "Theo Bác, Cần là siêng năng, chăm chỉ, cố gắng dẻo dai trong công việc.", "Hồ Chí Minh Toàn tập, tập 6"),
    _q(ETHICS, 2, "Trong lời dạy của Bác, “Kiệm” nghĩa là gì?",
       ["*Tiết kiệm, không xa xỉ, không hoang phí", "Kiểm tra, giám sát", "Khiêm tốn, nhún nhường",
        "Giữ bí mật"],
       "Kiệm là tiết kiệm sức lao động, thời giờ, tiền của; không xa xỉ, không hoang phí.",
       "Hồ Chí Minh Toàn tập, tập 6"),
    _q(ETHICS, 2, "Trong lời dạy của Bác, “Liêm” nghĩa là gì?",
       ["*Trong sạch, không tham lam", "Liên kết, đoàn kết", "Liều lĩnh, dám làm", "Lịch sự, tế nhị"],
       "Liêm là luôn tôn trọng, giữ gìn của công và của dân; trong sạch, không tham lam.",
       "Hồ Chí Minh Toàn tập, tập 6"),
    _q(ETHICS, 2, "Trong lời dạy của Bác, “Chính” nghĩa là gì?",
       ["*Thẳng thắn, đứng đắn", "Chính quyền", "Chính xác về số liệu", "Chính thức, có giấy tờ"],
       "Chính nghĩa là không tà, là thẳng thắn, đứng đắn, với mình, với người và với việc.",
       "Hồ Chí Minh Toàn tập, tập 6"),
    _q(ETHICS, 1, "“Chí công vô tư” nghĩa là gì?",
       ["*Hết lòng vì việc chung, không vì lợi ích riêng", "Làm việc không cần công", "Chỉ làm việc công",
        "Không tư duy"],
       "Chí công vô tư là đặt lợi ích của Đảng, của nhân dân lên trên, không màng lợi ích riêng.",
       "Hồ Chí Minh Toàn tập"),
    _q(ETHICS, 2, "Hoàn thành lời Bác: “Người cách mạng phải có …, không có … thì dù tài giỏi mấy cũng không lãnh "
                  "đạo được nhân dân.”",
       ["*đạo đức", "bằng cấp", "kinh nghiệm", "quyền lực"],
       "“Cũng như sông thì có nguồn mới có nước… Người cách mạng phải có đạo đức, không có đạo đức thì dù tài giỏi "
       "mấy cũng không lãnh đạo được nhân dân.”", "Hồ Chí Minh Toàn tập, tập 5"),
    _q(ETHICS, 1, "Bác dạy cán bộ, chiến sĩ: “Trung với nước, … với dân”. Từ còn thiếu là gì?",
       ["*hiếu", "thương", "gần", "vì"],
       "“Trung với nước, hiếu với dân” là lời dạy của Bác đối với cán bộ, chiến sĩ.", "Hồ Chí Minh Toàn tập"),
    _q(ETHICS, 1, "Những điều nào thuộc “5 điều Bác Hồ dạy thiếu niên, nhi đồng”?",
       ["*Yêu Tổ quốc, yêu đồng bào", "*Học tập tốt, lao động tốt", "*Khiêm tốn, thật thà, dũng cảm",
        "Thi đua giành điểm cao nhất lớp", "Làm giàu thật nhanh"],
       "Năm điều Bác dạy: Yêu Tổ quốc, yêu đồng bào; Học tập tốt, lao động tốt; Đoàn kết tốt, kỷ luật tốt; Giữ "
       "gìn vệ sinh thật tốt; Khiêm tốn, thật thà, dũng cảm.", MUSEUM),
    _q(ETHICS, 2, "Trong Di chúc, Bác viết: “Đảng ta là một Đảng cầm quyền. Mỗi đảng viên và cán bộ phải thật sự "
                  "thấm nhuần đạo đức cách mạng, thật sự …”",
       ["*cần kiệm liêm chính, chí công vô tư", "giỏi chuyên môn, nghiệp vụ", "trung thành, dũng cảm",
        "năng động, sáng tạo"],
       "Di chúc nhắc mỗi đảng viên và cán bộ phải thật sự cần kiệm liêm chính, chí công vô tư, giữ gìn Đảng trong "
       "sạch.", TESTAMENT),
    _q(ETHICS, 2, "Theo Di chúc, phải giữ gìn sự đoàn kết nhất trí của Đảng như giữ gìn điều gì?",
       ["*Con ngươi của mắt mình", "Báu vật của quốc gia", "Ngọn cờ của Đảng", "Sức khỏe của bản thân"],
       "“Các đồng chí từ Trung ương đến các chi bộ cần phải giữ gìn sự đoàn kết nhất trí của Đảng như giữ gìn con "
       "ngươi của mắt mình.”", TESTAMENT),
    _q(ETHICS, 3, "Câu “Một tấm gương sống còn có giá trị hơn một trăm bài diễn văn tuyên truyền” nói lên điều gì "
                  "trong đạo đức Hồ Chí Minh?",
       ["*Nói đi đôi với làm, phải nêu gương về đạo đức", "Không cần tuyên truyền", "Chỉ cần viết thật nhiều bài",
        "Đạo đức là việc riêng của mỗi người"],
       "Bác coi trọng nêu gương: lời nói phải đi đôi với việc làm, người đi trước làm gương cho người sau.",
       "Hồ Chí Minh Toàn tập"),

    # --- Phong cách Hồ Chí Minh ----------------------------------------------------------------------------------
    _q(STYLE, 1, "Từ năm 1958 đến năm 1969, trong khu Phủ Chủ tịch, Bác Hồ sống và làm việc ở đâu?",
       ["*Ngôi nhà sàn gỗ bên ao cá", "Tòa nhà chính của Phủ Chủ tịch", "Nhà số 48 phố Hàng Ngang",
        "Khách sạn Metropole"],
       "Bác không ở tòa nhà lớn của Phủ Chủ tịch mà sống, làm việc giản dị trong ngôi nhà sàn gỗ từ năm 1958.",
       "Khu di tích Chủ tịch Hồ Chí Minh tại Phủ Chủ tịch"),
    _q(STYLE, 1, "Đôi dép Bác Hồ đi trong nhiều năm kháng chiến và kiến quốc được làm từ gì?",
       ["*Lốp xe ô tô cũ (dép cao su)", "Da thuộc", "Gỗ", "Vải bố"],
       "Đôi dép cao su cắt từ lốp ô tô là biểu tượng của lối sống giản dị, tiết kiệm của Bác.", MUSEUM),
    _q(STYLE, 1, "Phong cách làm việc của Bác đòi hỏi lời nói và việc làm phải thế nào?",
       ["*Nói đi đôi với làm", "Nói trước, làm sau tùy hoàn cảnh", "Chỉ cần nói hay", "Làm xong mới cần nói"],
       "Nói đi đôi với làm, làm gương trước là nét nổi bật trong phong cách Hồ Chí Minh.", "Hồ Chí Minh Toàn tập"),
    _q(STYLE, 2, "Khi dạy cách viết, Bác thường nhắc người viết tự hỏi những câu nào?",
       ["*Viết cho ai?", "*Viết để làm gì?", "*Viết thế nào?", "Viết được bao nhiêu trang?"],
       "Bác dạy: trước khi viết phải xác định viết cho ai, viết để làm gì, viết thế nào; viết ngắn gọn, dễ hiểu.",
       "Hồ Chí Minh Toàn tập"),
    _q(STYLE, 2, "Đâu là những nét trong phong cách sống của Bác Hồ?",
       ["*Giản dị", "*Tiết kiệm", "*Gần gũi với nhân dân", "Xa hoa, cầu kỳ"],
       "Bác sống giản dị trong ăn, mặc, ở; tiết kiệm từng hạt cơm, tờ giấy; luôn gần gũi nhân dân.", MUSEUM),
    _q(STYLE, 2, "Trang phục quen thuộc của Bác Hồ là gì?",
       ["*Bộ quần áo ka ki hoặc bộ bà ba giản dị", "Bộ com lê đắt tiền", "Áo gấm, khăn xếp", "Quân phục có quân hàm"],
       "Bác thường mặc bộ quần áo ka ki hay bộ bà ba, đi dép cao su: giản dị mà trang trọng.", MUSEUM),
    _q(STYLE, 3, "Theo bài viết về Hà Nội, tác phong công tác của cán bộ, đảng viên gương mẫu được mô tả bằng cụm "
                 "từ nào?",
       ["*Gần dân, sát dân, vì dân", "Nhanh, gọn, đúng hạn", "Kỷ cương, trách nhiệm", "Chủ động, sáng tạo"],
       "Bài viết nêu những cán bộ, đảng viên gương mẫu, tác phong công tác gần dân, sát dân, vì dân.",
       HANOI_ARTICLE),

    # --- Chỉ thị 05-CT/TW và Kết luận 01-KL/TW -------------------------------------------------------------------
    _q(DIRECTIVES, 1, "Chỉ thị 05-CT/TW của Bộ Chính trị “Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
                      "phong cách Hồ Chí Minh” được ban hành ngày nào?",
       ["*15/5/2016", "19/5/2016", "18/5/2021", "3/2/2016"],
       "Chỉ thị 05-CT/TW được Bộ Chính trị ban hành ngày 15/5/2016.", CT05),
    _q(DIRECTIVES, 2, "Chỉ thị 05-CT/TW (15/5/2016) do Bộ Chính trị khóa nào ban hành?",
       ["*Khóa XII", "Khóa XI", "Khóa XIII", "Khóa X"],
       "Chỉ thị 05-CT/TW do Bộ Chính trị khóa XII ban hành.", CT05),
    _q(DIRECTIVES, 1, "Tên đầy đủ của Chỉ thị 05-CT/TW là gì?",
       ["*Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Về học tập và làm theo tấm gương đạo đức Hồ Chí Minh",
        "Về tăng cường xây dựng, chỉnh đốn Đảng",
        "Về đổi mới phương thức lãnh đạo của Đảng"],
       "Chỉ thị 05-CT/TW: “Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”.", CT05),
    _q(DIRECTIVES, 1, "Theo Chỉ thị 05-CT/TW, cán bộ, đảng viên học tập và làm theo những nội dung nào của Bác?",
       ["*Tư tưởng", "*Đạo đức", "*Phong cách", "Tiểu sử gia đình"],
       "Chỉ thị 05-CT/TW yêu cầu học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.", CT05),
    _q(DIRECTIVES, 2, "Kết luận 01-KL/TW của Bộ Chính trị về tiếp tục thực hiện Chỉ thị 05-CT/TW được ban hành "
                      "ngày nào?",
       ["*18/5/2021", "15/5/2021", "19/5/2021", "18/5/2016"],
       "Kết luận 01-KL/TW được ban hành ngày 18/5/2021.", KL01),
    _q(DIRECTIVES, 2, "Kết luận 01-KL/TW (18/5/2021) do Bộ Chính trị khóa nào ban hành?",
       ["*Khóa XIII", "Khóa XII", "Khóa XI", "Khóa XIV"],
       "Kết luận 01-KL/TW do Bộ Chính trị khóa XIII ban hành.", KL01),
    _q(DIRECTIVES, 2, "Kết luận 01-KL/TW là kết luận về vấn đề gì?",
       ["*Tiếp tục thực hiện Chỉ thị 05-CT/TW", "Tổng kết 10 năm thi hành Điều lệ Đảng",
        "Công tác cán bộ nhiệm kỳ mới", "Phòng, chống tham nhũng"],
       "Kết luận 01-KL/TW của Bộ Chính trị khóa XIII là về tiếp tục thực hiện Chỉ thị 05-CT/TW.", KL01),
    _q(DIRECTIVES, 3, "Việc thực hiện Kết luận 01-KL/TW nhằm tạo chuyển biến mạnh mẽ từ “học tập” sang điều gì?",
       ["*“Làm theo”", "“Thi cử”", "“Báo cáo”", "“Tuyên truyền”"],
       "Mục tiêu là chuyển mạnh từ học tập sang làm theo Bác, để tư tưởng, đạo đức, phong cách của Người trở "
       "thành lối sống, nếp nghĩ, cách làm.", HANOI_ARTICLE),

    # --- Học tập và làm theo Bác ở Hà Nội -------------------------------------------------------------------------
    _q(HANOI, 2, "Mô hình “Đường có hoa, nhà có số, phố có tên” góp phần chỉnh trang nông thôn mới ở địa phương "
                 "nào của Hà Nội?",
       ["*Đan Phượng", "Thanh Oai", "Sơn Tây", "Ứng Hòa"],
       "Bài viết nêu mô hình “Đường có hoa, nhà có số, phố có tên” ở Đan Phượng.", HANOI_ARTICLE),
    _q(HANOI, 2, "Theo bài viết, mô hình xây dựng làng văn hóa kiểu mẫu được nêu ở đâu?",
       ["*Thanh Oai", "Đan Phượng", "Tây Hồ", "Hoàng Mai"],
       "Xây dựng làng văn hóa kiểu mẫu ở Thanh Oai là một trong những mô hình được nhân rộng.", HANOI_ARTICLE),
    _q(HANOI, 2, "Mô hình câu lạc bộ gia đình văn hóa cho các gia đình trẻ được nêu ở địa phương nào?",
       ["*Thị xã Sơn Tây", "Huyện Đan Phượng", "Huyện Thanh Oai", "Quận Ba Đình"],
       "Bài viết nêu câu lạc bộ gia đình văn hóa cho các gia đình trẻ tại Thị xã Sơn Tây.", HANOI_ARTICLE),
    _q(HANOI, 3, "Theo bài viết, mô hình cưới tập thể được nêu ở những địa phương nào?",
       ["*Ứng Hòa", "*Tây Hồ", "*Hoàng Mai", "*Ba Đình", "Đan Phượng", "Thanh Oai"],
       "Bài viết nêu mô hình cưới tập thể tại Ứng Hòa, Tây Hồ, Hoàng Mai, Ba Đình.", HANOI_ARTICLE),
    _q(HANOI, 1, "Khi giải quyết công việc hành chính của người dân không đúng hẹn, nhiều cơ quan ở Hà Nội gửi "
                 "loại thư nào?",
       ["*Thư xin lỗi", "Thư cảm ơn", "Thư mời", "Thư chúc mừng"],
       "Các cơ quan gửi “Thư xin lỗi” tới tổ chức, cá nhân khi giải quyết công việc không đúng hẹn.",
       HANOI_ARTICLE),
    _q(HANOI, 2, "Những loại thư nào được các cơ quan ở Hà Nội gửi để thể hiện sự quan tâm tới tổ chức, cá nhân?",
       ["*Thư cảm ơn", "*Thư chúc mừng", "*Thư chia buồn", "Thư nhắc nợ"],
       "Bài viết nêu việc gửi “Thư cảm ơn”, “Thư chúc mừng”, “Thư chia buồn”.", HANOI_ARTICLE),
    _q(HANOI, 1, "Mô hình nào của Hà Nội hướng tới thái độ niềm nở của cán bộ, công chức khi tiếp dân?",
       ["*“Nụ cười công sở”", "“Ngày không tiền mặt”", "“Phố đi bộ”", "“Ngày hội đọc sách”"],
       "“Nụ cười công sở” cùng “Chính quyền, công sở thân thiện và trách nhiệm” là những mô hình được nêu.",
       HANOI_ARTICLE),
    _q(HANOI, 2, "Theo bài viết, tổng số mô hình “Dân vận khéo” được đăng ký xây dựng ở Hà Nội là bao nhiêu?",
       ["*39.427 mô hình", "10.272 mô hình", "20.820 mô hình", "18.607 mô hình"],
       "Có 39.427 mô hình được đăng ký: 20.820 của tập thể và 18.607 của cá nhân.", HANOI_ARTICLE),
    _q(HANOI, 3, "Trong số mô hình “Dân vận khéo” đã đăng ký ở Hà Nội, bao nhiêu mô hình được công nhận, biểu "
                 "dương và khen thưởng?",
       ["*10.272 mô hình", "39.427 mô hình", "5.333 mô hình", "4.939 mô hình"],
       "10.272 mô hình của 5.333 tập thể và 4.939 cá nhân được công nhận, biểu dương và khen thưởng.",
       HANOI_ARTICLE),
    _q(HANOI, 3, "Trong 39.427 mô hình “Dân vận khéo” đăng ký ở Hà Nội, có bao nhiêu mô hình của tập thể?",
       ["*20.820 mô hình", "18.607 mô hình", "10.272 mô hình", "5.333 mô hình"],
       "Có 20.820 mô hình của tập thể và 18.607 mô hình của cá nhân.", HANOI_ARTICLE),
    _q(HANOI, 2, "Người đứng đầu các cơ quan ở Hà Nội niêm yết công khai điều gì để cán bộ, đảng viên và nhân dân "
                 "giám sát?",
       ["*Kế hoạch tu dưỡng, rèn luyện của cá nhân", "Bảng lương của cơ quan", "Lịch nghỉ phép",
        "Danh sách khen thưởng"],
       "Các cơ quan xây dựng kế hoạch tu dưỡng cá nhân và niêm yết công khai kế hoạch của người đứng đầu.",
       HANOI_ARTICLE),
    _q(HANOI, 2, "Theo bài viết, Hà Nội lấy kết quả học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
                 "làm gì?",
       ["*Một trong những tiêu chuẩn đánh giá cán bộ, đảng viên hằng năm", "Điều kiện để được nghỉ phép",
        "Tiêu chí xếp hạng doanh nghiệp", "Căn cứ duy nhất để tuyển dụng"],
       "Cấp ủy, cơ quan, đơn vị lấy kết quả học tập và làm theo Bác là một trong những tiêu chuẩn đánh giá cán bộ, "
       "đảng viên hằng năm.", HANOI_ARTICLE),
    _q(HANOI, 1, "Phong trào thi đua “Dân vận khéo” bắt nguồn từ tác phẩm nào của Bác?",
       ["*Bài báo “Dân vận” (15/10/1949)", "Tuyên ngôn Độc lập (1945)", "Nhật ký trong tù (1942–1943)",
        "Đường Kách mệnh (1927)"],
       "Phong trào “Dân vận khéo” làm theo lời dạy trong bài “Dân vận” Bác viết năm 1949.", HANOI_ARTICLE),
]


def seed_questions(actor=None) -> int:
    """Add the demo questions the bank does not have yet (same normalised text); returns how many were added."""
    have = bank.existing_hashes(bank.norm_hash(q["text"]) for q in QUESTIONS)
    created = 0
    for values in QUESTIONS:
        if bank.norm_hash(values["text"]) in have:
            continue
        bank.create_question(values, actor=actor)
        created += 1
    return created
