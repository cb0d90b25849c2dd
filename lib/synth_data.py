"""Data tables for :mod:`lib.synth`: the distributions synthetic party members are drawn from.

Every table is a tuple of ``(value, weight)`` pairs (or a dict of them); weights are
relative, not percentages, and need not sum to anything. Where a figure comes from a public
source the comment says which; where it is our own judgement it says *inferred*. The
figures only have to make demo and benchmark data look like a real register (the right
mix of names, ages, places and diacritics), not to support statistics.

All strings are NFC (``lib/tests/test_synth.py`` checks it). Old-style tone placements
("Thuỷ", "Hoà", "Khoẻ") are kept on purpose, next to the new style, because real
registers contain both and the cleaning code downstream must see both.

Administrative units are NOT copied here: they are loaded lazily, once, from the
``vietnam_provinces`` package (63 legacy provinces with their districts and communes,
34 current provinces with their 3,321 communes) by the ``*_units`` functions at the end.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Surnames
# --------------------------------------------------------------------------------------------
# The head of the distribution is the widely cited frequency list of Vietnamese surnames
# (Lê Trung Hoa, "Họ và tên người Việt Nam", 2005; also the figures quoted by Wikipedia's
# "Họ người Việt"): Nguyễn 38.4 %, Trần 11 %, Lê 9.5 %, Phạm 7 %, Hoàng/Huỳnh 5.1 %,
# Phan 4.5 %, Vũ/Võ 3.9 %, Đặng 2.1 %, Bùi 2 %, Đỗ 1.4 %, Hồ 1.3 %, Ngô 1.3 %,
# Dương 1 %, Lý 0.5 %. The tail (≤ 0.6 % each) is inferred. Hoàng and Vũ are the northern
# forms; from Quảng Nam southwards the same families mostly write Huỳnh and Võ (a naming
# taboo of the Nguyễn lords), hence two tables chosen by the region of birth.
SURNAMES_NORTH: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 4.6),
    ("Huỳnh", 0.5), ("Phan", 4.5), ("Vũ", 3.4), ("Võ", 0.5), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đào", 0.6),
    ("Đinh", 0.6), ("Đoàn", 0.5), ("Trương", 0.5), ("Trịnh", 0.5), ("Mai", 0.4),
    ("Cao", 0.4), ("Lương", 0.4), ("Hà", 0.4), ("Lâm", 0.3), ("Tạ", 0.3), ("Lưu", 0.3),
    ("Chu", 0.2), ("Tô", 0.2), ("Phùng", 0.2), ("Kiều", 0.15), ("Quách", 0.15),
    ("Thái", 0.15), ("Lại", 0.15), ("Triệu", 0.15), ("Văn", 0.1), ("Tăng", 0.1),
    ("La", 0.1), ("Châu", 0.1), ("Nông", 0.1), ("Giang", 0.1), ("Vương", 0.1),
    ("Đàm", 0.1), ("Thân", 0.1), ("Đồng", 0.1), ("Nghiêm", 0.1), ("Tống", 0.1),
    ("Từ", 0.05), ("Hứa", 0.05), ("Tôn", 0.05), ("Khúc", 0.05), ("Âu", 0.05),
    ("Doãn", 0.05), ("Mạc", 0.05), ("Lục", 0.05), ("Khổng", 0.05), ("Lã", 0.05),
    ("Ninh", 0.05), ("Khuất", 0.05), ("Bạch", 0.05), ("Kim", 0.05), ("Vi", 0.05),
    ("Phí", 0.05), ("Hầu", 0.03), ("Ông", 0.03), ("Diệp", 0.03), ("Ma", 0.03),
    ("Bế", 0.03), ("Hán", 0.03), ("Tiêu", 0.03), ("Chử", 0.03), ("Cù", 0.03),
    ("Mẫn", 0.02), ("Lò", 0.02),
)  # fmt: skip
SURNAMES_SOUTH: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.5), ("Lê", 9.5), ("Phạm", 7.0), ("Huỳnh", 4.3),
    ("Hoàng", 0.8), ("Phan", 4.5), ("Võ", 3.3), ("Vũ", 0.6), ("Đặng", 2.0), ("Bùi", 1.8),
    ("Đỗ", 1.2), ("Hồ", 1.5), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.8), ("Trương", 0.8),
    ("Lâm", 0.6), ("Đoàn", 0.5), ("Đinh", 0.4), ("Đào", 0.4), ("Cao", 0.4), ("Mai", 0.4),
    ("Châu", 0.3), ("Tô", 0.3), ("Thái", 0.3), ("Lưu", 0.3), ("Lương", 0.3),
    ("Trịnh", 0.3), ("Hà", 0.2), ("Tạ", 0.2), ("Quách", 0.2), ("La", 0.2), ("Tăng", 0.2),
    ("Hứa", 0.15), ("Từ", 0.1), ("Triệu", 0.1), ("Kiều", 0.1), ("Văn", 0.1),
    ("Giang", 0.1), ("Tôn", 0.1), ("Vương", 0.1), ("Lại", 0.1), ("Diệp", 0.1),
    ("Phùng", 0.1), ("Chu", 0.1), ("Mạc", 0.05), ("Ông", 0.05), ("Âu", 0.05),
    ("Thạch", 0.05), ("Sơn", 0.05), ("Danh", 0.05), ("Kim", 0.05), ("Khưu", 0.05),
    ("Lữ", 0.05), ("Đàm", 0.05), ("Nghiêm", 0.03), ("Bạch", 0.03), ("Hầu", 0.03),
)  # fmt: skip

# Surnames of the larger ethnic minorities (inferred from common usage in published
# lists of officials and students). Everyone else takes the regional Kinh table. Given and
# middle names stay Vietnamese-style for all groups: a simplification (Ê Đê and Gia Rai
# names, for instance, often put the clan name last), noted so nobody relies on it.
ETHNIC_SURNAMES: dict[str, tuple[tuple[str, float], ...]] = {
    "Tày": (("Hoàng", 20), ("Nông", 15), ("Lương", 10), ("Nguyễn", 8), ("Ma", 6),
            ("Lục", 6), ("Bế", 6), ("Hà", 6), ("Đàm", 5), ("Triệu", 4), ("Vi", 3),
            ("La", 3), ("Lý", 3), ("Đinh", 3), ("Phùng", 2)),
    "Nùng": (("Hoàng", 18), ("Nông", 15), ("Lương", 8), ("Lý", 8), ("Vi", 6), ("Lục", 6),
             ("Nguyễn", 6), ("Chu", 5), ("Triệu", 5), ("Mã", 4), ("Hứa", 4), ("Lăng", 3),
             ("Đàm", 3), ("Mông", 2)),
    "Thái": (("Lò", 20), ("Cầm", 12), ("Lường", 10), ("Hà", 10), ("Quàng", 8), ("Vi", 8),
             ("Lù", 5), ("Tòng", 5), ("Điêu", 5), ("Lang", 5), ("Lê", 3), ("Sầm", 3),
             ("Kha", 3)),
    "Mường": (("Bùi", 35), ("Đinh", 25), ("Quách", 10), ("Hà", 10), ("Xa", 5), ("Cao", 5),
              ("Nguyễn", 5), ("Phạm", 5)),
    "Mông": (("Giàng", 20), ("Vàng", 18), ("Sùng", 12), ("Thào", 12), ("Lầu", 8), ("Lý", 8),
             ("Hờ", 6), ("Mùa", 6), ("Tráng", 4), ("Sình", 3), ("Mua", 3)),
    "Dao": (("Triệu", 30), ("Bàn", 20), ("Đặng", 15), ("Lý", 12), ("Chảo", 8), ("Phùng", 6),
            ("Tẩn", 5), ("Lò", 4)),
    "Khmer": (("Thạch", 30), ("Sơn", 20), ("Danh", 15), ("Kim", 10), ("Lâm", 8), ("Trần", 6),
              ("Châu", 5), ("Lý", 3), ("Huỳnh", 3)),
    "Hoa": (("Lý", 12), ("Lâm", 12), ("Trương", 10), ("Hứa", 8), ("Lưu", 8), ("Quách", 6),
            ("Tăng", 6), ("Châu", 6), ("Huỳnh", 6), ("Mã", 5), ("La", 5), ("Dương", 5),
            ("Trần", 5), ("Diệp", 3), ("Khưu", 3)),
    "Gia Rai": (("Ksor", 25), ("Rơ Mah", 20), ("Siu", 15), ("Nay", 12), ("Rcom", 10),
                ("Kpă", 8), ("Rơ Châm", 5), ("Puih", 5)),
    "Ê Đê": (("Niê", 25), ("Êban", 15), ("Mlô", 12), ("Byă", 10), ("Adrơng", 8), ("Ayŭn", 8),
             ("Knul", 7), ("Ktla", 5), ("Hmok", 5), ("Buôn Yă", 5)),
    "Chăm": (("Đàng", 15), ("Thành", 12), ("Thập", 10), ("Quảng", 10), ("Lộ", 8),
             ("Trượng", 8), ("Bá", 8), ("Châu", 6), ("Nguyễn", 6), ("Đạo", 6), ("Lưu", 6),
             ("Hán", 5)),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Middle names (tên đệm)
# --------------------------------------------------------------------------------------------
# Keyed by (sex, generation): "old" = aged 50 or more, "young" = under 50. "" means no
# middle name; two-word entries give names like "Nguyễn Thị Thu Hà". Inferred from name
# lists: "Văn" and "Thị" dominate the older generations and are much rarer among the young.
MIDDLE_NAMES: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("M", "old"): (
        ("Văn", 50), ("Đức", 6), ("Hữu", 6), ("Minh", 5), ("Quang", 5), ("Công", 5),
        ("Đình", 4), ("Xuân", 4), ("Ngọc", 3), ("Thanh", 3), ("Trọng", 3), ("Mạnh", 2),
        ("Quốc", 2), ("Tiến", 2), ("Thế", 2), ("Bá", 2), ("Duy", 1.5), ("Kim", 1),
        ("Như", 1), ("Khắc", 1), ("Viết", 1), ("Huy", 1), ("Hồng", 1), ("Trung", 1),
        ("Văn Minh", 0.8), ("Văn Thanh", 0.6), ("Hữu Minh", 0.5), ("Đức Minh", 0.4),
        ("Quang Minh", 0.4), ("Văn Quốc", 0.3), ("", 3),
    ),
    ("M", "young"): (
        ("Văn", 25), ("Minh", 9), ("Đức", 7), ("Quang", 6), ("Hoàng", 5), ("Quốc", 5),
        ("Thanh", 4), ("Hữu", 4), ("Công", 4), ("Tuấn", 3), ("Ngọc", 3), ("Duy", 3),
        ("Xuân", 2), ("Đình", 2), ("Trọng", 2), ("Mạnh", 2), ("Tiến", 2), ("Gia", 2),
        ("Anh", 2), ("Hải", 2), ("Thành", 2), ("Trung", 2), ("Huy", 1.5), ("Nhật", 1.5),
        ("Bảo", 1), ("Đăng", 1), ("Việt", 1), ("Thế", 1), ("Văn Minh", 1.5),
        ("Hoàng Anh", 1.2), ("Đức Anh", 1), ("Minh Quang", 0.8), ("Hoàng Gia", 0.6),
        ("Văn Hoàng", 0.6), ("Minh Đức", 0.8), ("Quốc Bảo", 0.6), ("", 2),
    ),
    ("F", "old"): (
        ("Thị", 75), ("Ngọc", 3), ("Thanh", 3), ("Thu", 2), ("Kim", 2), ("Hồng", 2),
        ("Minh", 1), ("Bích", 1), ("Thúy", 1), ("Xuân", 1), ("Phương", 1), ("Mai", 0.5),
        ("Thị Thu", 2), ("Thị Thanh", 1.5), ("Thị Ngọc", 1), ("Thị Kim", 1),
        ("Thị Hồng", 1), ("Thị Minh", 0.5), ("Thị Bích", 0.5), ("Thị Xuân", 0.5), ("", 1),
    ),
    ("F", "young"): (
        ("Thị", 35), ("Ngọc", 6), ("Thu", 5), ("Thanh", 5), ("Phương", 4), ("Kim", 3),
        ("Hồng", 3), ("Thùy", 3), ("Thuỳ", 1), ("Minh", 3), ("Mỹ", 2), ("Bảo", 2),
        ("Khánh", 2), ("Hải", 2), ("Diệu", 1.5), ("Hoài", 1.5), ("Quỳnh", 1.5),
        ("Hoàng", 1.5), ("Tuyết", 1), ("Bích", 1), ("Cẩm", 1), ("Hà", 1), ("Lan", 1),
        ("Mai", 1), ("Như", 1), ("Thảo", 1), ("Kiều", 1), ("Xuân", 1), ("Huyền", 0.5),
        ("Thị Thu", 2.5), ("Thị Thanh", 1.5), ("Thị Ngọc", 1.5), ("Thị Kim", 1),
        ("Thị Hồng", 1), ("Thị Mỹ", 0.8), ("Thị Phương", 0.8), ("Thị Thúy", 0.5),
        ("Thị Thùy", 0.5), ("Ngọc Bảo", 0.4), ("", 1),
    ),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Given names: (name, weight among people aged 50+, weight among people under 50)
# --------------------------------------------------------------------------------------------
# Inferred from published lists of officials, graduates and name-frequency articles; the
# weights are relative popularity tiers, not measurements. Both tone placements of the
# same name are separate entries ("Hòa"/"Hoà", "Thủy"/"Thuỷ", "Khỏe"/"Khoẻ"): they are the
# same name, and comparison must treat them so.
GIVEN_NAMES_MALE: tuple[tuple[str, float, float], ...] = (
    ("Anh", 20, 55), ("Hùng", 40, 20), ("Dũng", 35, 20), ("Tuấn", 30, 35), ("Minh", 30, 40),
    ("Nam", 28, 30), ("Hải", 30, 25), ("Sơn", 30, 18), ("Long", 20, 30), ("Thắng", 30, 15),
    ("Phong", 12, 20), ("Quân", 8, 30), ("Khoa", 5, 25), ("Bảo", 3, 25), ("Huy", 12, 40),
    ("Cường", 30, 15), ("Đức", 25, 25), ("Hiếu", 10, 25), ("Trung", 25, 25),
    ("Thành", 30, 25), ("Tùng", 15, 25), ("Hưng", 25, 20), ("Hoàng", 8, 20),
    ("Việt", 12, 20), ("Quang", 15, 15), ("Vinh", 25, 15), ("Tâm", 15, 10),
    ("Thanh", 20, 8), ("Bình", 30, 12), ("Hòa", 20, 5), ("Hoà", 8, 2), ("Tiến", 20, 12),
    ("Toàn", 18, 15), ("Thịnh", 8, 18), ("Lâm", 8, 15), ("Phúc", 10, 20), ("Khánh", 8, 18),
    ("Tài", 10, 18), ("Trí", 8, 15), ("Đạt", 6, 28), ("Kiên", 8, 15), ("Lộc", 10, 12),
    ("Lợi", 12, 6), ("Mạnh", 18, 15), ("Nghĩa", 20, 15), ("Phát", 3, 15), ("Phương", 12, 4),
    ("Quý", 12, 8), ("Quyết", 12, 6), ("Sang", 6, 10), ("Sáng", 8, 3), ("Tân", 15, 8),
    ("Thái", 10, 6), ("Thiện", 6, 10), ("Thuận", 12, 8), ("Trọng", 10, 8),
    ("Trường", 12, 15), ("Tú", 6, 12), ("Văn", 8, 2), ("Vũ", 5, 18), ("Vương", 4, 5),
    ("Xuân", 12, 3), ("Định", 12, 4), ("Đông", 12, 5), ("Giang", 8, 8), ("Hậu", 10, 8),
    ("Hiệp", 12, 8), ("Hiền", 8, 3), ("Hoan", 8, 2), ("Học", 8, 2), ("Hợp", 10, 3),
    ("Khải", 6, 6), ("Khang", 1, 18), ("Khôi", 1, 15), ("Kiệt", 1, 12), ("Lân", 6, 3),
    ("Linh", 8, 8), ("Luân", 4, 6), ("Lực", 8, 3), ("Nhân", 8, 12), ("Nhật", 3, 12),
    ("Ninh", 8, 3), ("Phước", 10, 6), ("Quốc", 5, 6), ("Tấn", 6, 4), ("Thạch", 5, 2),
    ("Thọ", 12, 2), ("Thông", 10, 5), ("Thức", 8, 2), ("Tín", 6, 10), ("Toản", 6, 2),
    ("Trực", 6, 2), ("Tuệ", 2, 4), ("Tuyên", 6, 2), ("Uy", 3, 4), ("Vĩnh", 5, 4),
    ("Ân", 3, 5), ("Bách", 2, 8), ("Chiến", 18, 8), ("Chính", 12, 4), ("Công", 10, 4),
    ("Danh", 6, 6), ("Duy", 6, 18), ("Dương", 5, 12), ("Điền", 4, 1), ("Điệp", 5, 2),
    ("Độ", 4, 1), ("Hà", 10, 4), ("Hạnh", 8, 2), ("Hào", 6, 5), ("Hội", 6, 1),
    ("Huấn", 8, 3), ("Huân", 6, 3), ("Hướng", 6, 2), ("Kha", 2, 4), ("Khiêm", 4, 4),
    ("Khỏe", 2, 0.5), ("Khoẻ", 3, 0.5), ("Khởi", 3, 1), ("Lai", 4, 1), ("Luận", 5, 2),
    ("Lượng", 6, 2), ("Nguyên", 8, 12), ("Nhất", 4, 3), ("Phú", 10, 6), ("Quảng", 5, 2),
    ("Quyền", 6, 4), ("Sỹ", 5, 3), ("Sĩ", 3, 2), ("Tạo", 4, 1), ("Thế", 6, 2),
    ("Thiết", 5, 1), ("Thống", 6, 2), ("Thụy", 3, 2), ("Thuỵ", 2, 1), ("Tiệp", 4, 2),
    ("Tịnh", 3, 1), ("Triều", 4, 3), ("Tuân", 4, 3), ("Tuyến", 6, 2), ("Tường", 6, 4),
    ("Vĩ", 2, 4), ("Vỹ", 1, 4), ("Vượng", 6, 3), ("Đăng", 3, 10), ("Kỳ", 5, 3),
    ("Lập", 6, 2), ("Hoạt", 5, 1), ("Khương", 5, 4), ("Liêm", 6, 3), ("Phi", 5, 4),
    ("Sinh", 8, 2), ("Thuần", 5, 1), ("Tĩnh", 4, 2), ("Bằng", 8, 3), ("Chung", 8, 3),
    ("Cương", 8, 3), ("Doanh", 6, 3), ("Được", 6, 1), ("An", 6, 15), ("Hiển", 5, 6),
    ("Thiên", 1, 8), ("Lĩnh", 4, 2), ("Hóa", 4, 1), ("Hoá", 2, 0.5), ("Hoàn", 6, 2),
    ("Dân", 6, 1), ("Đại", 4, 3), ("Khoát", 3, 0.5), ("Lương", 5, 1), ("Nhuận", 3, 1),
    ("Phụng", 3, 1), ("Quỳnh", 4, 1), ("Sửu", 4, 0.2), ("Tý", 3, 0.2), ("Dần", 3, 0.2),
    ("Thìn", 3, 0.2), ("Tuất", 3, 0.2), ("Mão", 2, 0.2), ("Ngọ", 2, 0.2), ("Hợi", 2, 0.2),
)  # fmt: skip
GIVEN_NAMES_FEMALE: tuple[tuple[str, float, float], ...] = (
    ("Linh", 10, 60), ("Hương", 40, 30), ("Lan", 35, 12), ("Hoa", 35, 10), ("Trang", 15, 50),
    ("Thảo", 15, 40), ("Ngọc", 10, 25), ("Hà", 25, 30), ("Mai", 25, 25), ("Thủy", 30, 15),
    ("Thuỷ", 12, 4), ("Hằng", 30, 25), ("Nhung", 25, 12), ("Yến", 20, 18), ("Vy", 0.5, 30),
    ("Anh", 5, 45), ("Huyền", 18, 35), ("Hạnh", 30, 15), ("Hiền", 25, 15), ("Hồng", 30, 8),
    ("Hường", 20, 6), ("Liên", 25, 5), ("Loan", 25, 6), ("Ly", 3, 25), ("Nga", 30, 15),
    ("Ngân", 5, 30), ("Nhàn", 20, 5), ("Oanh", 18, 12), ("Phương", 20, 30),
    ("Quyên", 8, 15), ("Quỳnh", 5, 25), ("Tâm", 15, 10), ("Thanh", 20, 10), ("Thắm", 15, 4),
    ("Thơ", 10, 10), ("Thu", 25, 12), ("Thúy", 25, 10), ("Thuý", 10, 4), ("Thùy", 5, 10),
    ("Thuỳ", 2, 4), ("Trinh", 10, 15), ("Tuyết", 20, 6), ("Uyên", 2, 20), ("Vân", 25, 12),
    ("Xuân", 20, 5), ("Dung", 30, 12), ("Duyên", 15, 20), ("Giang", 10, 20), ("Hải", 8, 5),
    ("Hạ", 1, 6), ("Hân", 1, 10), ("Hậu", 12, 8), ("Hoài", 8, 6), ("Huệ", 25, 5),
    ("Khánh", 2, 8), ("Kim", 8, 3), ("Lệ", 10, 3), ("Liễu", 12, 3), ("Lụa", 8, 1),
    ("Lý", 8, 4), ("Mến", 8, 3), ("Minh", 5, 8), ("My", 1, 15), ("Mỹ", 6, 5),
    ("Nguyệt", 18, 6), ("Nhi", 1, 25), ("Như", 3, 12), ("Nhã", 1, 5), ("Nương", 4, 1),
    ("Phượng", 20, 6), ("Sen", 10, 2), ("Sương", 8, 4), ("Tiên", 3, 12), ("Tình", 12, 4),
    ("Trâm", 3, 15), ("Trà", 4, 8), ("Tú", 6, 6), ("Tuyền", 4, 8), ("Vi", 1, 8),
    ("Xuyến", 10, 2), ("Bích", 12, 3), ("Châu", 6, 10), ("Chi", 3, 15), ("Cúc", 20, 2),
    ("Diễm", 6, 8), ("Diệp", 3, 5), ("Diệu", 2, 4), ("Đào", 12, 3), ("Điệp", 8, 3),
    ("Gấm", 8, 1), ("Hảo", 10, 2), ("Hòa", 15, 3), ("Hoà", 6, 1), ("Huê", 4, 1),
    ("Khuê", 1, 5), ("Lài", 6, 1), ("Lam", 2, 6), ("Lành", 6, 1), ("Luyến", 8, 3),
    ("Mận", 6, 1), ("Miên", 2, 3), ("Mơ", 6, 1), ("Na", 3, 4), ("Nụ", 6, 1), ("Nhạn", 4, 1),
    ("Nhiên", 1, 4), ("Quế", 6, 2), ("Quý", 6, 2), ("Thoa", 15, 4), ("Thư", 3, 25),
    ("Thương", 12, 15), ("Trúc", 2, 8), ("Tươi", 10, 2), ("Vui", 6, 1), ("Xoan", 4, 1),
    ("Ánh", 10, 12), ("An", 3, 10), ("Bình", 10, 4), ("Đan", 1, 5), ("Hoan", 6, 2),
    ("Kiều", 8, 5), ("Lộc", 3, 2), ("Mẫn", 2, 3), ("Ngà", 6, 2), ("Ninh", 4, 2),
    ("Phụng", 4, 2), ("Thìn", 5, 0.5), ("Thục", 4, 2), ("Thuần", 4, 1), ("Thuận", 8, 2),
    ("Xinh", 4, 1), ("Yên", 4, 2), ("Ý", 1, 4), ("Khuyên", 4, 2), ("Dịu", 6, 2),
    ("Hợp", 5, 1), ("Mừng", 5, 1), ("Nết", 6, 1), ("Ngoan", 4, 1), ("Nhài", 4, 1),
    ("Tám", 4, 0.2), ("Thêu", 3, 0.5), ("Vinh", 4, 1), ("Thụy", 2, 2), ("Thuỵ", 1, 1),
    ("Hiên", 2, 3), ("Lương", 4, 1), ("Tuệ", 1, 3), ("Lựu", 4, 0.5), ("Nhâm", 3, 0.3),
    ("Hiếu", 4, 3), ("Phúc", 3, 3), ("Chinh", 6, 3),
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Regions of the 63 legacy provinces (statistical regions of the GSO, before 2025)
# --------------------------------------------------------------------------------------------
NE, NW, RRD, NC, SCC, CH, SE, MK = "NE", "NW", "RRD", "NC", "SCC", "CH", "SE", "MK"
LEGACY_REGION: dict[int, str] = {
    **dict.fromkeys((2, 4, 6, 8, 10, 15, 19, 20, 22, 24, 25), NE),  # Đông Bắc
    **dict.fromkeys((11, 12, 14, 17), NW),  # Tây Bắc
    **dict.fromkeys((1, 26, 27, 30, 31, 33, 34, 35, 36, 37), RRD),  # Đồng bằng sông Hồng
    **dict.fromkeys((38, 40, 42, 44, 45, 46), NC),  # Bắc Trung Bộ
    **dict.fromkeys((48, 49, 51, 52, 54, 56, 58, 60), SCC),  # Duyên hải Nam Trung Bộ
    **dict.fromkeys((62, 64, 66, 67, 68), CH),  # Tây Nguyên
    **dict.fromkeys((70, 72, 74, 75, 77, 79), SE),  # Đông Nam Bộ
    **dict.fromkeys((80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96), MK),  # ĐBSCL
}
SOUTHERN_NAMING = frozenset((SCC, CH, SE, MK))  # Huỳnh/Võ rather than Hoàng/Vũ
# North of the 17th parallel schools ran the 10-year system until 1981 ("10/10", "7/10");
# Quảng Bình (44) and everything above it.
TEN_YEAR_SCHOOLS_MAX_CODE = 44
# Big cities where many members were born to families from elsewhere (hometown differs).
CITY_CODES = frozenset((1, 31, 48, 79, 92))

# Average population 2023 by legacy province, thousands (GSO Statistical Yearbook 2023,
# rounded). Only used as sampling weights.
LEGACY_POPULATION: dict[int, int] = {
    1: 8587, 2: 900, 4: 547, 6: 326, 8: 805, 10: 770, 11: 640, 12: 482, 14: 1300, 15: 847,
    17: 875, 19: 1336, 20: 802, 22: 1381, 24: 1922, 25: 1516, 26: 1198, 27: 1489, 30: 1956,
    31: 2105, 33: 1290, 34: 1883, 35: 878, 36: 1888, 37: 1010, 38: 3739, 40: 3442, 42: 1323,
    44: 916, 45: 650, 46: 1166, 48: 1246, 49: 1526, 51: 1248, 52: 1505, 54: 877, 56: 1260,
    58: 598, 60: 1252, 62: 584, 64: 1591, 66: 1919, 67: 680, 68: 1332, 70: 1043, 72: 1194,
    74: 2764, 75: 3310, 77: 1187, 79: 9456, 80: 1735, 82: 1790, 83: 1300, 84: 1020, 86: 1030,
    87: 1600, 89: 1905, 91: 1760, 92: 1260, 93: 730, 94: 1200, 95: 920, 96: 1210,
}  # fmt: skip
# Party members per inhabitant relative to the national mean, by region (inferred: about
# 5.6 million members for 101 million people, ~5.5 %; Hồ Chí Minh City's 365,911 members
# for ~14 million inhabitants is ~2.6 %, and the North is known to be denser).
PARTY_DENSITY: dict[str, float] = {
    NE: 1.3,
    NW: 1.2,
    RRD: 1.3,
    NC: 1.3,
    SCC: 1.0,
    CH: 0.9,
    SE: 0.5,
    MK: 0.65,
}
BORN_ELSEWHERE_SHARE = 0.25  # share of a province's members born outside it (brief)

# --------------------------------------------------------------------------------------------
# Ethnicity (census names, 2019 Population and Housing Census, GSO)
# --------------------------------------------------------------------------------------------
# Share of Kinh by legacy province, percent (2019 census, rounded). Provinces not listed
# are ≥ 98.5 % Kinh.
KINH_SHARE: dict[int, float] = {
    1: 98.7, 2: 12.5, 4: 5.5, 6: 12.0, 8: 45.0, 10: 35.0, 11: 19.0, 12: 15.0, 14: 16.0,
    15: 52.0, 17: 27.0, 19: 71.0, 20: 16.0, 22: 87.0, 24: 87.0, 25: 85.0, 26: 97.0,
    37: 97.8, 38: 83.0, 40: 85.5, 44: 98.0, 45: 88.0, 46: 96.0, 49: 90.0, 51: 87.0, 52: 98.0,
    54: 94.0, 56: 93.0, 58: 77.0, 60: 93.0, 62: 46.0, 64: 53.0, 66: 67.0, 67: 67.0, 68: 77.0,
    70: 82.0, 74: 97.0, 75: 91.0, 77: 97.0, 79: 93.5, 84: 67.0, 86: 97.5, 89: 94.0, 91: 86.0,
    92: 97.5, 93: 97.0, 94: 64.5, 95: 89.0, 96: 97.0,
}  # fmt: skip
DEFAULT_KINH_SHARE = 99.0
# Mix of the minorities within a group of provinces (inferred from the census tables).
# Names follow the census list of 54 ethnic groups: "Mông" (also written H'Mông),
# "Khơ Mú", "Xtiêng", "Bru Vân Kiều".
MINORITY_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "northeast": (("Tày", 33), ("Nùng", 20), ("Mông", 14), ("Dao", 14), ("Sán Chay", 5),
                  ("Sán Dìu", 4), ("Mường", 2), ("Giáy", 1.5), ("Hoa", 1), ("Lô Lô", 0.5),
                  ("Pà Thẻn", 0.3)),
    "northwest": (("Thái", 55), ("Mông", 28), ("Mường", 4), ("Khơ Mú", 4), ("Dao", 4),
                  ("Hà Nhì", 2), ("Giáy", 1.5), ("Lào", 1), ("Kháng", 0.5)),
    "muong": (("Mường", 65), ("Thái", 25), ("Dao", 4), ("Mông", 4), ("Tày", 2)),
    "nghe_an": (("Thái", 70), ("Khơ Mú", 10), ("Thổ", 10), ("Mông", 9), ("Ơ Đu", 0.2)),
    "delta": (("Mường", 30), ("Tày", 25), ("Hoa", 10), ("Thái", 10), ("Nùng", 10), ("Dao", 10),
              ("Sán Dìu", 5)),
    "central_north": (("Bru Vân Kiều", 35), ("Cơ Tu", 30), ("Tà Ôi", 20), ("Giẻ Triêng", 6),
                      ("Xơ Đăng", 6), ("Chứt", 3)),
    "central_south": (("Hrê", 35), ("Chăm", 20), ("Ra Glai", 20), ("Ba Na", 15), ("Co", 8),
                      ("Cơ Ho", 2)),
    "highlands": (("Gia Rai", 28), ("Ê Đê", 24), ("Ba Na", 14), ("Xơ Đăng", 10), ("Cơ Ho", 9),
                  ("Mnông", 6), ("Tày", 3), ("Nùng", 3), ("Mông", 1.5), ("Dao", 1.5)),
    "southeast": (("Hoa", 55), ("Khmer", 12), ("Xtiêng", 10), ("Nùng", 8), ("Tày", 5), ("Mạ", 4),
                  ("Chơ Ro", 4), ("Chăm", 2)),
    "hcmc": (("Hoa", 80), ("Khmer", 8), ("Chăm", 3), ("Tày", 3), ("Nùng", 3), ("Mường", 3)),
    "mekong": (("Khmer", 84), ("Hoa", 14), ("Chăm", 2)),
}  # fmt: skip
MINORITY_MIX_BY_REGION: dict[str, str] = {
    NE: "northeast", NW: "northwest", RRD: "delta", NC: "central_north", SCC: "central_south",
    CH: "highlands", SE: "southeast", MK: "mekong",
}  # fmt: skip
MINORITY_MIX_BY_PROVINCE: dict[int, str] = {
    17: "muong", 25: "muong", 37: "muong", 38: "muong", 40: "nghe_an", 42: "nghe_an",
    79: "hcmc",
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Religion (inferred: party members are overwhelmingly without religion; believers are
# admitted under Regulation 123-QĐ/TW and are more frequent in the South)
# --------------------------------------------------------------------------------------------
RELIGION_BY_REGION: dict[str, tuple[tuple[str, float], ...]] = {
    "north": (("Không", 95), ("Phật giáo", 3.5), ("Công giáo", 1.5)),
    "centre": (("Không", 91), ("Phật giáo", 6), ("Công giáo", 2), ("Tin lành", 0.5),
               ("Cao Đài", 0.5)),
    "southeast": (("Không", 88), ("Phật giáo", 7), ("Công giáo", 3), ("Cao Đài", 1.5),
                  ("Tin lành", 0.5)),
    "mekong": (("Không", 87), ("Phật giáo", 7), ("Phật giáo Hòa Hảo", 2.5), ("Cao Đài", 2),
               ("Công giáo", 1.5)),
}  # fmt: skip
RELIGION_GROUP_BY_REGION: dict[str, str] = {
    NE: "north", NW: "north", RRD: "north", NC: "north", SCC: "centre", CH: "centre",
    SE: "southeast", MK: "mekong",
}  # fmt: skip
RELIGION_BY_ETHNICITY: dict[str, tuple[tuple[str, float], ...]] = {
    "Khmer": (("Phật giáo", 65), ("Không", 35)),  # Theravada Buddhism
    "Hoa": (("Không", 70), ("Phật giáo", 30)),
    "Mông": (("Không", 92), ("Tin lành", 8)),
    **dict.fromkeys(
        ("Gia Rai", "Ê Đê", "Ba Na", "Xơ Đăng", "Cơ Ho", "Mnông"),
        (("Không", 80), ("Tin lành", 10), ("Công giáo", 10)),
    ),
}

# --------------------------------------------------------------------------------------------
# Age, sex and party career (inferred; the Party publishes only coarse figures)
# --------------------------------------------------------------------------------------------
# Members by age band (inclusive bounds), weights for members living in a rural commune
# (xã) and in an urban ward (phường). Urban residential cells are dominated by retirees.
AGE_BANDS: tuple[tuple[int, int, float, float], ...] = (
    (18, 24, 4.5, 3.5), (25, 29, 7.5, 6.0), (30, 34, 10.0, 8.0), (35, 39, 11.0, 9.0),
    (40, 44, 11.0, 9.0), (45, 49, 10.0, 8.5), (50, 54, 9.5, 8.0), (55, 59, 9.0, 8.0),
    (60, 64, 8.0, 9.0), (65, 69, 7.5, 10.0), (70, 74, 5.5, 9.0), (75, 79, 3.5, 6.5),
    (80, 84, 2.0, 4.0), (85, 89, 0.8, 2.0), (90, 95, 0.2, 0.5),
)  # fmt: skip
# Within the youngest band, very few members are 18 or 19.
YOUNG_AGE_SHAPE: dict[int, float] = {18: 0.1, 19: 0.4, 20: 0.8, 21: 1.0, 22: 1.2, 23: 1.3, 24: 1.4}
MIN_AGE, MAX_AGE = 18, 95
# Share of men by age (members admitted before 1990 were mostly men; new members are about
# half women). Gives about 60 % men overall.
MALE_SHARE_BY_AGE: tuple[tuple[int, float], ...] = (
    (34, 0.48), (44, 0.55), (59, 0.59), (69, 0.65), (79, 0.72), (MAX_AGE, 0.78),
)  # fmt: skip
# Share of members of a given age who are still probationary (admitted in the last 12
# months); about 200,000 admissions a year for 5.6 million members gives 3-5 % overall.
# Zero from 46: the admission age is kept within 18-45.
PROBATIONARY_SHARE_BY_AGE: tuple[tuple[int, float], ...] = (
    (18, 1.0), (19, 0.85), (20, 0.6), (21, 0.5), (22, 0.45), (23, 0.4), (24, 0.35),
    (29, 0.16), (34, 0.06), (39, 0.03), (45, 0.012), (MAX_AGE, 0.0),
)  # fmt: skip
# Age at admission (whole years from 18): mostly 20-35.
ADMISSION_AGE_WEIGHTS: tuple[tuple[int, int, float], ...] = (
    (18, 19, 3),
    (20, 24, 30),
    (25, 29, 30),
    (30, 34, 19),
    (35, 39, 10),
    (40, 45, 8),
)
MAX_ADMISSION_AGE = 45
# Days between the end of the 12-month probation and the recognition as official member.
OFFICIAL_DELAY_DAYS: tuple[tuple[int, int, float], ...] = ((0, 0, 40), (1, 30, 45), (31, 60, 15))
PROBATION_DAYS = 365
# Retirement ages in 2025 (Labour Code 2019, Decree 135/2020): about 61 for men, 57 for women.
RETIREMENT_AGE = {"M": 61, "F": 57}

# --------------------------------------------------------------------------------------------
# Occupation, education, qualifications, political theory, languages
# --------------------------------------------------------------------------------------------
OCCUPATIONS = (
    "Công chức", "Viên chức", "Công nhân", "Nông dân", "Hưu trí", "Kinh doanh",
    "Lực lượng vũ trang", "Sinh viên", "Nhân viên doanh nghiệp", "Lao động tự do", "Nội trợ",
)  # fmt: skip
MANUAL_OCCUPATIONS = frozenset(("Công nhân", "Nông dân", "Lao động tự do", "Nội trợ"))
OFFICE_OCCUPATIONS = frozenset(
    ("Công chức", "Viên chức", "Kinh doanh", "Nhân viên doanh nghiệp", "Sinh viên",
     "Lực lượng vũ trang")
)  # fmt: skip
RETIRED = "Hưu trí"
ARMED_FORCES = "Lực lượng vũ trang"
ARMY_SHARE_OF_ARMED_FORCES = 0.6  # the rest are police
# Occupation by career stage ("study" < 23, "work", "late" = the two years around
# retirement, "old" = retired age) and by urban (phường) / rural (xã) residence:
# {stage: ((occupation, urban weight, rural weight), ...)}. Inferred.
OCCUPATION_WEIGHTS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "study": (("Sinh viên", 45, 35), ("Lực lượng vũ trang", 15, 15), ("Công nhân", 10, 15),
              ("Nhân viên doanh nghiệp", 12, 6), ("Viên chức", 5, 5), ("Công chức", 3, 4),
              ("Lao động tự do", 5, 8), ("Nông dân", 0, 8), ("Kinh doanh", 5, 4)),
    "work": (("Công chức", 18, 15), ("Viên chức", 24, 20), ("Nhân viên doanh nghiệp", 17, 6),
             ("Công nhân", 8, 12), ("Kinh doanh", 10, 7), ("Lực lượng vũ trang", 6, 5),
             ("Lao động tự do", 6, 8), ("Nông dân", 1, 22), ("Nội trợ", 1, 2)),
    "late": (("Hưu trí", 45, 30), ("Công chức", 12, 10), ("Viên chức", 12, 10),
             ("Kinh doanh", 10, 6), ("Nhân viên doanh nghiệp", 5, 2), ("Lao động tự do", 6, 6),
             ("Công nhân", 3, 4), ("Lực lượng vũ trang", 2, 2), ("Nông dân", 1, 25),
             ("Nội trợ", 4, 5)),
    "old": (("Hưu trí", 88, 62), ("Kinh doanh", 3, 3), ("Lao động tự do", 3, 4),
            ("Nông dân", 1, 25), ("Nội trợ", 5, 6)),
}  # fmt: skip

# General education ("x/10" = the northern 10-year system, "x/12" = the 12-year system),
# by generation ("g1" < 35, "g2" 35-49, "g3" 50-64, "g4" ≥ 65) and school system.
EDUCATION_WEIGHTS: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {
    ("g1", True): (("12/12", 92), ("9/12", 5), ("11/12", 1), ("10/12", 1), ("8/12", 1)),
    ("g1", False): (("12/12", 92), ("9/12", 5), ("11/12", 1), ("10/12", 1), ("8/12", 1)),
    ("g2", True): (("12/12", 82), ("9/12", 10), ("10/12", 2), ("11/12", 2), ("8/12", 2),
                   ("7/12", 2)),
    ("g2", False): (("12/12", 80), ("9/12", 11), ("10/12", 2), ("11/12", 2), ("8/12", 3),
                    ("7/12", 2)),
    ("g3", True): (("10/10", 35), ("12/12", 35), ("7/10", 10), ("9/10", 8), ("9/12", 7),
                   ("8/10", 5)),
    ("g3", False): (("12/12", 60), ("9/12", 20), ("10/12", 5), ("7/12", 5), ("11/12", 5),
                    ("8/12", 5)),
    ("g4", True): (("10/10", 45), ("7/10", 20), ("12/12", 10), ("9/10", 8), ("8/10", 7),
                   ("5/10", 4), ("4/10", 3), ("6/10", 3)),
    ("g4", False): (("12/12", 40), ("9/12", 20), ("7/12", 10), ("10/12", 8), ("8/12", 7),
                    ("11/12", 5), ("5/12", 5), ("6/12", 5)),
}  # fmt: skip
FULL_SCHOOLING = frozenset(("12/12", "10/10"))
# Manual workers: the weight of complete schooling is multiplied by this.
MANUAL_FULL_SCHOOLING_FACTOR = 0.5

# Professional qualification by occupation, for people with complete schooling (inferred).
QUALIFICATION_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "Công chức": (("Cử nhân Luật", 14), ("Cử nhân Kinh tế", 12),
                  ("Cử nhân Quản lý nhà nước", 10), ("Cử nhân Kế toán", 8),
                  ("Cử nhân Hành chính", 6), ("Thạc sĩ Quản lý công", 6),
                  ("Trung cấp Hành chính", 6), ("Kỹ sư Xây dựng", 5), ("Thạc sĩ Kinh tế", 4),
                  ("Kỹ sư Nông nghiệp", 4), ("Cử nhân Tài chính - Ngân hàng", 4),
                  ("Cử nhân Quản lý đất đai", 4), ("Thạc sĩ Luật", 3),
                  ("Kỹ sư Công nghệ thông tin", 3), ("Cao đẳng Kế toán", 3),
                  ("Cử nhân Xã hội học", 2), ("Tiến sĩ Kinh tế", 1), ("", 2)),
    "Viên chức": (("Cử nhân Giáo dục Tiểu học", 8), ("Cử nhân Giáo dục Mầm non", 7),
                  ("Cử nhân Sư phạm Toán", 6), ("Cử nhân Sư phạm Ngữ văn", 6),
                  ("Cao đẳng Sư phạm", 6), ("Bác sĩ Đa khoa", 6), ("Cử nhân Điều dưỡng", 5),
                  ("Cử nhân Sư phạm Tiếng Anh", 4), ("Trung cấp Y", 4),
                  ("Thạc sĩ Giáo dục học", 3), ("Cao đẳng Điều dưỡng", 3),
                  ("Kỹ sư Công nghệ thông tin", 3), ("Cử nhân Kế toán", 3),
                  ("Bác sĩ Chuyên khoa I", 2), ("Dược sĩ Đại học", 2),
                  ("Thạc sĩ Quản lý giáo dục", 2), ("Cử nhân Báo chí", 2),
                  ("Kỹ sư Thủy lợi", 1.5), ("Thạc sĩ Y học", 1),
                  ("Cử nhân Thông tin - Thư viện", 1), ("Cử nhân Văn hóa học", 1),
                  ("Tiến sĩ Vật lý", 0.5), ("Tiến sĩ Y học", 0.5)),
    "Công nhân": (("", 35), ("Sơ cấp nghề", 10), ("Trung cấp Điện", 8), ("Trung cấp Cơ khí", 8),
                  ("Cao đẳng Cơ khí", 6), ("Cao đẳng Điện công nghiệp", 6), ("Kỹ sư Cơ khí", 6),
                  ("Kỹ sư Điện", 5), ("Trung cấp May thời trang", 4),
                  ("Cao đẳng Công nghệ ô tô", 3), ("Trung cấp Hàn", 3),
                  ("Kỹ sư Điện tử - Viễn thông", 3), ("Kỹ sư Hóa học", 2)),
    "Nông dân": (("", 75), ("Trung cấp Nông nghiệp", 8), ("Sơ cấp nghề", 6),
                 ("Kỹ sư Nông nghiệp", 4), ("Trung cấp Thú y", 4),
                 ("Kỹ sư Nuôi trồng thủy sản", 3)),
    "Hưu trí": (("", 20), ("Trung cấp Sư phạm", 8), ("Cao đẳng Sư phạm", 8),
                ("Cử nhân Kinh tế", 8), ("Cử nhân Luật", 5), ("Kỹ sư Nông nghiệp", 5),
                ("Trung cấp Kế toán", 5), ("Kỹ sư Xây dựng", 4), ("Kỹ sư Cơ khí", 4),
                ("Cử nhân Khoa học quân sự", 4), ("Cử nhân Sư phạm Toán", 4),
                ("Cử nhân Sư phạm Ngữ văn", 4), ("Bác sĩ Đa khoa", 3), ("Y sĩ", 3),
                ("Cử nhân Chính trị", 3), ("Trung cấp Quân sự", 3), ("Cử nhân Lịch sử", 2),
                ("Kỹ sư Thủy lợi", 2), ("Tiến sĩ Kinh tế", 0.5)),
    "Kinh doanh": (("", 25), ("Cử nhân Quản trị kinh doanh", 20), ("Cử nhân Kinh tế", 15),
                   ("Cử nhân Kế toán", 10), ("Cử nhân Marketing", 5),
                   ("Thạc sĩ Quản trị kinh doanh", 5), ("Kỹ sư Xây dựng", 5),
                   ("Cao đẳng Kinh tế", 5), ("Trung cấp Kế toán", 5),
                   ("Cử nhân Ngoại thương", 5)),
    "Lực lượng vũ trang": (("Cử nhân Khoa học quân sự", 20), ("", 15),
                           ("Cử nhân Cảnh sát nhân dân", 12), ("Trung cấp Quân sự", 12),
                           ("Cử nhân An ninh nhân dân", 10), ("Trung cấp Cảnh sát", 10),
                           ("Kỹ sư Quân sự", 6), ("Cử nhân Chính trị", 5),
                           ("Thạc sĩ Khoa học quân sự", 3), ("Bác sĩ Quân y", 2),
                           ("Thạc sĩ Luật", 2)),
    "Sinh viên": (("", 100),),
    "Nhân viên doanh nghiệp": (("Cử nhân Kế toán", 15), ("Cử nhân Quản trị kinh doanh", 12),
                               ("Kỹ sư Công nghệ thông tin", 12),
                               ("Cử nhân Tài chính - Ngân hàng", 10), ("Cử nhân Kinh tế", 10),
                               ("Kỹ sư Xây dựng", 6), ("Cử nhân Ngôn ngữ Anh", 6), ("", 6),
                               ("Kỹ sư Điện", 5), ("Cử nhân Luật", 5), ("Cao đẳng Kế toán", 5),
                               ("Thạc sĩ Quản trị kinh doanh", 4), ("Cử nhân Marketing", 4)),
    "Lao động tự do": (("", 70), ("Sơ cấp nghề", 10), ("Trung cấp Điện", 7),
                       ("Trung cấp Kế toán", 5), ("Cử nhân Kinh tế", 5),
                       ("Cao đẳng Công nghệ ô tô", 3)),
    "Nội trợ": (("", 80), ("Sơ cấp nghề", 10), ("Trung cấp Sư phạm", 5),
                ("Trung cấp Kế toán", 5)),
}  # fmt: skip
# For people without complete schooling, whatever the occupation.
QUALIFICATION_WEIGHTS_LOW_SCHOOLING: tuple[tuple[str, float], ...] = (
    ("", 70), ("Sơ cấp nghề", 10), ("Trung cấp Nông nghiệp", 5), ("Trung cấp Sư phạm", 4),
    ("Trung cấp Kế toán", 3), ("Trung cấp Y", 3), ("Trung cấp Điện", 3),
    ("Trung cấp Quân sự", 2),
)  # fmt: skip

# Political theory level by occupation; members under 27 use the "young" row.
THEORY_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "young": (("", 70), ("Sơ cấp", 30)),
    "young_armed": (("Sơ cấp", 50), ("", 40), ("Trung cấp", 10)),
    "Công chức": (("Trung cấp", 45), ("Cao cấp", 20), ("Sơ cấp", 18), ("", 12), ("Cử nhân", 5)),
    "Viên chức": (("Sơ cấp", 50), ("", 25), ("Trung cấp", 18), ("Cao cấp", 5), ("Cử nhân", 2)),
    "Lực lượng vũ trang": (("Trung cấp", 35), ("Sơ cấp", 35), ("", 15), ("Cao cấp", 12),
                           ("Cử nhân", 3)),
    "Hưu trí": (("Sơ cấp", 40), ("Trung cấp", 25), ("", 20), ("Cao cấp", 12), ("Cử nhân", 3)),
    "business": (("", 45), ("Sơ cấp", 45), ("Trung cấp", 8), ("Cao cấp", 2)),
    "other": (("", 50), ("Sơ cấp", 45), ("Trung cấp", 5)),
}  # fmt: skip
YOUNG_THEORY_AGE = 27

# Foreign language by generation ("y" < 35, "m" 35-59, "o" ≥ 60) and manual work.
LANGUAGE_WEIGHTS: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {
    ("y", False): (("", 33), ("Tiếng Anh B1", 24), ("Tiếng Anh B", 10), ("Tiếng Anh B2", 8),
                   ("Tiếng Anh bậc 3", 8), ("Tiếng Anh A2", 8), ("Tiếng Anh C1", 2),
                   ("Tiếng Anh C", 2), ("Tiếng Trung HSK4", 1.5), ("Tiếng Nhật N3", 1.5),
                   ("Tiếng Hàn", 1), ("Tiếng Pháp B1", 1)),
    ("m", False): (("", 32), ("Tiếng Anh B", 28), ("Tiếng Anh A", 12), ("Tiếng Anh B1", 12),
                   ("Tiếng Anh C", 6), ("Tiếng Anh bậc 3", 4), ("Tiếng Pháp B", 2),
                   ("Tiếng Nga B", 2), ("Tiếng Trung B", 2)),
    ("o", False): (("", 55), ("Tiếng Nga B", 10), ("Tiếng Anh A", 10), ("Tiếng Anh B", 10),
                   ("Tiếng Nga A", 6), ("Tiếng Pháp A", 4), ("Tiếng Trung A", 3),
                   ("Tiếng Nga C", 2)),
    ("y", True): (("", 88), ("Tiếng Anh A", 6), ("Tiếng Anh A2", 4), ("Tiếng Anh B", 2)),
    ("m", True): (("", 92), ("Tiếng Anh A", 6), ("Tiếng Anh B", 2)),
    ("o", True): (("", 97), ("Tiếng Nga A", 1.5), ("Tiếng Anh A", 1.5)),
}  # fmt: skip

# Share of members with an e-mail address on record, by generation and kind of work
# (inferred: most records carry none).
EMAIL_SHARE: dict[tuple[str, str], float] = {
    ("y", "office"): 0.45, ("m", "office"): 0.25, ("o", "office"): 0.05,
    ("y", "manual"): 0.08, ("m", "manual"): 0.04, ("o", "manual"): 0.01,
    ("y", "retired"): 0.05, ("m", "retired"): 0.03, ("o", "retired"): 0.02,
}  # fmt: skip
# Reserved documentation domains (RFC 2606): demo systems send invitations, and a
# synthetic address must never reach a real mailbox.
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("example.com", 60),
    ("example.net", 25),
    ("example.org", 15),
)

# --------------------------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------------------------
# Mobile prefixes after the 2018 renumbering (MIC Decision 798/QĐ-BTTTT), each with the
# leading digits of the 7-digit subscriber number we use (one block of 1,000,000 numbers
# per digit). Only ranges that the ``phonenumbers`` metadata (Google libphonenumber)
# accepts as Vietnamese mobile numbers are used: 089 only 6-9, 052 only 2/3/8, 055 only 9,
# 099 not 2 (checked by the tests). Block counts give roughly the market shares of 2024:
# Viettel ~53 %, VinaPhone ~22 %, MobiFone ~18 %, Vietnamobile ~4 %, others ~3 %.
PHONE_PREFIX_BLOCKS: tuple[tuple[str, str], ...] = (
    # Viettel
    ("032", "0123456789"), ("033", "0123456789"), ("034", "0123456789"),
    ("035", "0123456789"), ("036", "0123456789"), ("037", "0123456789"),
    ("038", "0123456789"), ("039", "0123456789"), ("086", "0123456789"),
    ("096", "0123456789"), ("097", "0123456789"), ("098", "0123456789"),
    # VinaPhone
    ("081", "13579"), ("082", "02468"), ("083", "14725"), ("084", "36908"), ("085", "25817"),
    ("088", "01345789"), ("091", "12345678"), ("094", "02345679"),
    # MobiFone
    ("070", "2468"), ("076", "1357"), ("077", "0369"), ("078", "2589"), ("079", "1347"),
    ("089", "6789"), ("090", "01234567"), ("093", "23456789"),
    # Vietnamobile
    ("052", "28"), ("056", "13"), ("058", "57"), ("092", "1234"),
    # Gmobile, Itel, Reddi
    ("059", "9"), ("099", "35"), ("087", "78"), ("055", "9"),
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Residence: the part of the address below the commune, by numbers only (we never invent
# place names). Northern wards have "tổ dân phố", southern ones "khu phố"; villages are
# "thôn"/"xóm" in the North and Centre, "ấp" in the South.
# --------------------------------------------------------------------------------------------
RESIDENCE_HEADS: dict[tuple[bool, bool], tuple[tuple[str, int], ...]] = {
    # (urban, south): ((pattern, max number), ...)
    (True, False): (("Tổ dân phố {}", 40), ("Tổ {}", 30)),
    (True, True): (("Khu phố {}", 30),),
    (False, False): (("Thôn {}", 20), ("Xóm {}", 15)),
    (False, True): (("Ấp {}", 15),),
}
HOUSE_NUMBER_SHARE = {True: 0.5, False: 0.1}  # share of addresses with "Số n, " in front
SOUTH_MIN_CURRENT_CODE = 75  # current provinces from Đồng Nai (75) down use "khu phố"/"ấp"


# --------------------------------------------------------------------------------------------
# Administrative units, loaded from vietnam_provinces on first use
# --------------------------------------------------------------------------------------------
_DIVISION_PREFIXES = (
    "thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "huyện", "quận", "tỉnh", "xã",
)  # fmt: skip


def lower_division(name: str) -> str:
    """'Tỉnh Long An' -> 'tỉnh Long An': the unit type in lower case, as addresses write it."""
    low = name.lower()
    for prefix in _DIVISION_PREFIXES:
        if low.startswith(prefix + " "):
            return prefix + name[len(prefix) :]
    return name


@dataclass(frozen=True, slots=True)
class LegacyUnits:
    """The 63 pre-2025 provinces: names, and every commune as 'xã X, huyện Y, tỉnh Z'."""

    province_name: dict[int, str]  # code -> "tỉnh Long An"
    commune_addresses: dict[int, tuple[str, ...]]  # province code -> addresses, by ward code


@dataclass(frozen=True, slots=True)
class CurrentUnits:
    """The 34 post-2025 provinces and their communes."""

    province_name: dict[int, str]  # code -> "thành phố Hồ Chí Minh"
    urban: dict[int, tuple[str, ...]]  # code -> ("phường Sài Gòn", ...)
    rural: dict[int, tuple[str, ...]]  # code -> ("xã Bình Chánh", "đặc khu Côn Đảo", ...)
    legacy_sources: dict[int, tuple[int, ...]]  # current code -> legacy codes merged into it


@functools.cache
def legacy_units() -> LegacyUnits:
    from vietnam_provinces.legacy import District, Province, Ward

    provinces = {int(p.code): lower_division(p.name) for p in Province.iter_all()}
    districts = {
        int(d.code): (int(d.province_code), lower_division(d.name)) for d in District.iter_all()
    }
    addresses: dict[int, list[str]] = {code: [] for code in provinces}
    for ward in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        province_code, district_name = districts[int(ward.district_code)]
        addresses[province_code].append(
            f"{lower_division(ward.name)}, {district_name}, {provinces[province_code]}"
        )
    return LegacyUnits(provinces, {code: tuple(a) for code, a in addresses.items()})


@functools.cache
def current_units() -> CurrentUnits:
    from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

    provinces = {int(p.code): lower_division(p.name) for p in Province.iter_all()}
    urban: dict[int, list[str]] = {code: [] for code in provinces}
    rural: dict[int, list[str]] = {code: [] for code in provinces}
    for ward in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        target = urban if ward.division_type == VietNamDivisionType.PHUONG else rural
        target[int(ward.province_code)].append(lower_division(ward.name))
    # Which legacy provinces make up each current one (Resolution 202/2025/QH15 of
    # 12 June 2025, effective 1 July 2025), from the package's conversion table. The table
    # lists a legacy province under every current province that received any of its
    # communes (Tiền Giang, 82, appears under Tây Ninh too); we keep each legacy province
    # only under its principal successor: the one with the same code if there is one, else
    # the first listed.
    sources: dict[int, list[int]] = {code: [] for code in provinces}
    principal: dict[int, int] = {}
    for code in provinces:
        for legacy in Province.from_code(ProvinceCode(code)).get_legacy_sources():
            old = int(legacy.code)
            if old == code or old not in principal:
                principal[old] = code
    for old, new in sorted(principal.items()):
        sources[new].append(old)
    return CurrentUnits(
        provinces,
        {code: tuple(names) for code, names in urban.items()},
        {code: tuple(names) for code, names in rural.items()},
        {code: tuple(codes) for code, codes in sources.items()},
    )


def ascii_fold(text: str) -> str:
    """'Nguyễn Đức' -> 'nguyenduc': lower-case ASCII for e-mail local parts."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()
