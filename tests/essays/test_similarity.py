"""The similarity check's pure part: syllable tokens, shingles, passages and the similarity figure."""

from __future__ import annotations

import random
import unicodedata

import pytest

from contest.essays.similarity import (
    Match,
    Passage,
    default_max_df,
    find_similar,
    normalise_syllable,
    passage_text,
    tokenise,
)

_VOCABULARY = (
    "học tập và làm theo tư tưởng đạo đức phong cách của Bác Hồ Chí Minh cán bộ đảng viên nhân dân thủ đô Hà Nội "
    "phường xã chi bộ đoàn thanh niên tấm gương điển hình tiêu biểu người tốt việc tốt dân vận khéo mô hình hay "
    "sáng tạo trách nhiệm công việc gia đình cộng đồng khu phố làng quê trường lớp giáo viên học sinh bác sĩ "
    "bệnh viện nông dân ruộng đồng mùa vụ thu hoạch lúa gạo cây xanh đường làng ngõ xóm an ninh trật tự vệ sinh "
    "môi trường tình nguyện giúp đỡ hộ nghèo người già trẻ em khuyết tật quyên góp ủng hộ sẻ chia yêu thương "
    "chăm chỉ cần mẫn giản dị khiêm tốn liêm chính trung thực tận tụy gương mẫu đi đầu lan tỏa"
)
SYLLABLES = _VOCABULARY.split()


def words(seed: int, count: int) -> list[str]:
    """`count` syllables in a random order that no other seed repeats for 8 syllables in a row."""
    rng = random.Random(seed)
    return [rng.choice(SYLLABLES) for _ in range(count)]


def text(pieces: list[str]) -> str:
    return " ".join(pieces)


# --- tokens -----------------------------------------------------------------------------------------------

def test_tokens_are_nfc_casefolded_without_edge_punctuation_and_keep_their_piece_index():
    syllables, positions = tokenise("“Bác Hồ” dạy: — «Cần, kiệm, liêm, chính»!  ĐOÀN   kết")
    assert syllables == ["bác", "hồ", "dạy", "cần", "kiệm", "liêm", "chính", "đoàn", "kết"]
    assert positions == [0, 1, 2, 4, 5, 6, 7, 8, 9]  # "—" (piece 3) is no syllable


def test_nfd_and_nfc_give_the_same_syllable_but_diacritics_matter():
    nfd = unicodedata.normalize("NFD", "Hồ Chí Minh")
    assert tokenise(nfd)[0] == tokenise("hồ chí minh")[0] == ["hồ", "chí", "minh"]
    assert normalise_syllable("Ho") != normalise_syllable("Hồ")
    assert normalise_syllable("...") == ""
    assert normalise_syllable("2025,") == "2025"
    assert normalise_syllable("ch\u200bữ\u00ad") == "chữ"  # invisible characters cannot hide a copy


def test_passage_text_is_the_pieces_between_the_bounds():
    assert passage_text("một  hai\nba bốn", 1, 3) == "hai ba"


# --- pairs ------------------------------------------------------------------------------------------------

def test_identical_texts_are_fully_similar():
    body = text(words(1, 300))
    [match] = find_similar({7: body, 3: body}, 25)
    assert (match.a, match.b, match.similarity, match.shared_words) == (3, 7, 1.0, 300)
    assert match.passages == [Passage(0, 300, 0, 300, 300)]


def test_a_copied_passage_is_found_with_its_exact_bounds():
    a, b = words(1, 400), words(2, 300)
    b[120:160] = a[200:240]  # 40 syllables copied
    [match] = find_similar({1: text(a), 2: text(b)}, 25)
    assert match.passages == [Passage(a_start=200, a_end=240, b_start=120, b_end=160, words=40)]
    assert match.shared_words == 40
    assert match.similarity == pytest.approx(40 / 300, abs=1e-4)


def test_bounds_are_piece_indices_of_the_original_text_and_punctuation_and_case_do_not_hide_a_copy():
    a, b = words(3, 200), words(4, 200)
    copied = a[50:90]
    b[10:50] = [w.upper() + "," if i % 5 == 0 else w for i, w in enumerate(copied)]
    b.insert(30, "–")  # a dash inside the copy: one more piece, no syllable
    a_text, b_text = text(a), unicodedata.normalize("NFD", text(b))
    [match] = find_similar({1: a_text, 2: b_text}, 25)
    [passage] = match.passages
    assert (passage.a_start, passage.a_end, passage.b_start, passage.b_end, passage.words) == (50, 90, 10, 51, 40)
    assert passage_text(b_text, passage.b_start, passage.b_end).split()[20] == "–"


def test_a_passage_shorter_than_min_words_is_not_reported():
    a, b = words(5, 300), words(6, 300)
    b[100:124] = a[10:34]  # 24 syllables
    assert find_similar({1: text(a), 2: text(b)}, 25) == []
    [match] = find_similar({1: text(a), 2: text(b)}, 24)
    assert match.passages[0].words == 24


def test_texts_without_anything_in_common_give_no_pairs():
    assert find_similar({i: text(words(100 + i, 500)) for i in range(20)}, 25) == []


def test_without_diacritics_is_another_text():
    a = words(7, 100)
    stripped = [unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", w)
                                                     if unicodedata.category(c) != "Mn")).replace("đ", "d")
                for w in a]
    assert find_similar({1: text(a), 2: text(stripped)}, 25) == []


def test_a_short_entry_copied_whole_into_a_long_one_is_fully_similar():
    short = words(8, 60)
    long = words(9, 900)
    long[400:400] = short
    [match] = find_similar({1: text(long), 2: text(short)}, 25)
    assert match.similarity == 1.0 and match.shared_words == 60
    assert match.passages == [Passage(400, 460, 0, 60, 60)]


def test_several_passages_add_up_and_the_most_similar_pair_comes_first():
    a, b, c = words(10, 400), words(11, 400), words(12, 400)
    b[0:50] = a[0:50]
    b[300:330] = a[200:230]
    c[100:130] = a[300:330]
    matches = find_similar({1: text(a), 2: text(b), 3: text(c)}, 25)
    assert [(m.a, m.b) for m in matches] == [(1, 2), (1, 3)]
    assert matches[0].shared_words == 80 and matches[0].similarity == pytest.approx(0.2)
    assert [(p.a_start, p.b_start, p.words) for p in matches[0].passages] == [(0, 0, 50), (200, 300, 30)]
    assert matches[1].similarity == pytest.approx(30 / 400, abs=1e-4)


def test_two_copies_on_the_same_alignment_with_other_text_between_stay_two_passages():
    a, b = words(24, 300), words(25, 300)
    b[0:40] = a[0:40]
    b[100:130] = a[100:130]
    [match] = find_similar({1: text(a), 2: text(b)}, 25)
    assert match.passages == [Passage(0, 40, 0, 40, 40), Passage(100, 130, 100, 130, 30)]
    assert match.shared_words == 70


def test_three_texts_sharing_one_passage_make_three_pairs():
    shared = words(13, 45)
    docs = {}
    for key, seed in ((5, 14), (9, 15), (2, 16)):
        body = words(seed, 200)
        body[seed * 3:seed * 3] = shared
        docs[key] = text(body)
    matches = find_similar(docs, 25)
    assert sorted((m.a, m.b) for m in matches) == [(2, 5), (2, 9), (5, 9)]
    assert all(m.shared_words == 45 and len(m.passages) == 1 for m in matches)
    assert all(m.a < m.b for m in matches)


def test_a_phrase_in_more_than_max_df_texts_is_ignored_as_common():
    quotation = words(17, 40)
    docs = {}
    for key in range(12):
        body = words(200 + key, 150)
        body[key * 5:key * 5] = quotation
        docs[key] = text(body)
    assert len(find_similar(docs, 25, max_df=12)) == 66  # every pair shares the quotation
    assert find_similar(docs, 25, max_df=11) == []
    assert find_similar(docs, 25) == []  # the default for 12 texts is 10


def test_a_common_phrase_inside_a_copied_passage_does_not_cut_it():
    quotation = words(18, 30)
    docs = {}
    for key in range(15):
        body = words(300 + key, 150)
        body[40:40] = quotation
        docs[key] = text(body)
    # Text 0 copies 20 syllables before and 20 after the quotation from text 1, with the quotation between.
    one = docs[1].split()
    zero = docs[0].split()
    zero[100:100] = one[20:90]
    docs[0] = text(zero)
    [match] = find_similar(docs, 25)
    assert (match.a, match.b) == (0, 1)
    assert match.passages == [Passage(100, 170, 20, 90, 70)]


def test_common_phrase_alone_with_little_around_it_is_not_enough():
    quotation = words(19, 30)
    docs = {}
    for key in range(15):
        body = words(400 + key, 150)
        body[40:40] = quotation
        docs[key] = text(body)
    one, zero = docs[1].split(), docs[0].split()
    # 4 own syllables, the quotation, 4 own syllables: 8 shingles reach into the text around the quotation on
    # both sides, as much as a 15-syllable passage of its own.
    zero[100:100] = one[36:74]
    docs[0] = text(zero)
    assert find_similar(docs, 16) == []
    [match] = find_similar(docs, 15)
    assert match.passages == [Passage(100, 138, 36, 74, 38)]


def test_empty_and_tiny_texts():
    assert find_similar({}, 25) == []
    assert find_similar({1: "lời"}, 25) == []
    assert find_similar({1: "", 2: "  \n ", 3: "— … !"}, 25) == []
    body = text(words(20, 30))
    [match] = find_similar({1: body, 2: body, 3: ""}, 25)
    assert (match.a, match.b, match.similarity) == (1, 2, 1.0)


def test_min_words_below_the_shingle_length_still_finds_short_passages():
    a, b = words(21, 100), words(22, 100)
    b[50:56] = a[10:16]
    [match] = find_similar({1: text(a), 2: text(b)}, 6)
    assert match.passages[0].words >= 6


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        find_similar({1: "a", 2: "b"}, 0)
    with pytest.raises(ValueError):
        find_similar({1: "a", 2: "b"}, 25, k=0)


def test_the_same_input_gives_the_same_output():
    rng = random.Random(23)
    docs = {i: words(500 + i, 300) for i in range(30)}
    for _ in range(20):
        x, y = rng.sample(range(30), 2)
        start = rng.randrange(0, 250)
        docs[y][start:start + 40] = docs[x][start:start + 40]
    texts = {i: text(body) for i, body in docs.items()}
    first = find_similar(texts, 25)
    reordered = dict(reversed(list(texts.items())))
    assert first and find_similar(reordered, 25) == first
    assert all(isinstance(m, Match) and 0 < m.similarity <= 1 for m in first)
    assert first == sorted(first, key=lambda m: (-m.similarity, -m.shared_words, m.a, m.b))


def test_default_max_df():
    assert [default_max_df(n) for n in (2, 100, 300, 5000, 100_000)] == [10, 10, 30, 50, 50]
