"""Real Vietnamese names for the text and encoding tests (NFC, as people write them).

Public figures first, then combinations of common real surnames, middle names and given
names, so every frequent letter, tone and tone placement (old and new style) occurs.
"""

PUBLIC_FIGURES = [
    "Hồ Chí Minh", "Võ Nguyên Giáp", "Phạm Văn Đồng", "Trường Chinh", "Lê Duẩn",
    "Nguyễn Văn Linh", "Đỗ Mười", "Lê Khả Phiêu", "Nông Đức Mạnh", "Nguyễn Phú Trọng",
    "Tô Lâm", "Nguyễn Thị Định", "Nguyễn Thị Bình", "Võ Thị Sáu", "Trần Phú",
    "Hà Huy Tập", "Nguyễn Văn Cừ", "Lê Hồng Phong", "Ngô Gia Tự", "Nguyễn Đức Cảnh",
    "Hoàng Quốc Việt", "Tôn Đức Thắng", "Huỳnh Tấn Phát", "Nguyễn Thị Minh Khai",
    "Lý Tự Trọng", "Kim Đồng", "Nguyễn Ái Quốc", "Phan Bội Châu", "Phan Châu Trinh",
    "Huỳnh Thúc Kháng", "Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Trãi",
    "Lê Thánh Tông", "Hai Bà Trưng", "Bà Triệu", "Ngô Quyền", "Đinh Bộ Lĩnh",
    "Nguyễn Du", "Hồ Xuân Hương", "Xuân Diệu", "Tố Hữu", "Nguyễn Khuyến",
    "Trịnh Công Sơn", "Văn Cao", "Phạm Tuyên", "Nguyễn Xuân Phúc", "Vương Đình Huệ",
    "Phạm Minh Chính", "Võ Văn Thưởng", "Trần Thanh Mẫn", "Lương Cường",
    "Trương Thị Mai", "Nguyễn Thị Kim Ngân", "Tòng Thị Phóng", "Đặng Thị Ngọc Thịnh",
    "Nguyễn Thị Doan", "Trương Tấn Sang", "Nguyễn Minh Triết", "Trần Đức Lương",
    "Lê Đức Anh", "Võ Chí Công", "Nguyễn Hữu Thọ", "Phan Văn Khải", "Võ Văn Kiệt",
    "Nguyễn Tấn Dũng", "Nguyễn Sinh Hùng", "Uông Chu Lưu", "Tòng Thị Phóng",
    "Y Ngông Niê Kdăm", "Ksor Phước", "Rơ Châm Long", "H'Hen Niê",
]  # fmt: skip

SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Trương", "Trịnh",
    "Mai", "Cao", "Lương", "Hà", "Lâm", "Tạ", "Lưu", "Tô", "Quách", "Kiều",
]  # fmt: skip
MIDDLES = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Kim",
    "Thu", "Hoàng", "Thành", "Công", "Bảo", "Mỹ", "Gia", "Tuấn", "Hồng", "Diệu",
]  # fmt: skip
GIVENS = [
    "An", "Anh", "Ánh", "Bảo", "Bích", "Bình", "Cường", "Chi", "Dũng", "Dung",
    "Duy", "Dương", "Đạt", "Điệp", "Định", "Đông", "Đức", "Giang", "Hà", "Hải",
    "Hạnh", "Hằng", "Hiền", "Hiếu", "Hòa", "Hoà", "Hoàng", "Hồng", "Huệ", "Hùng",
    "Hưng", "Hương", "Hường", "Huy", "Huyền", "Khánh", "Khoa", "Khôi", "Kiên", "Lan",
    "Linh", "Loan", "Long", "Lộc", "Lợi", "Luân", "Mai", "Minh", "My", "Mỹ",
    "Nam", "Nga", "Ngân", "Nghĩa", "Ngọc", "Nguyên", "Nhàn", "Nhung", "Oanh", "Phong",
    "Phúc", "Phương", "Quân", "Quang", "Quế", "Quý", "Quỳnh", "Sơn", "Tài", "Tâm",
    "Tân", "Thanh", "Thành", "Thảo", "Thắng", "Thu", "Thuận", "Thuỷ", "Thủy", "Thúy",
    "Thuý", "Tiến", "Toàn", "Trang", "Trinh", "Trung", "Tú", "Tuấn", "Tùng", "Tuyết",
    "Uyên", "Vân", "Việt", "Vinh", "Vũ", "Xuân", "Yến", "Ý", "Khuê", "Ngà",
]  # fmt: skip


def generated_names() -> list[str]:
    """200 three-word names: every given name twice, with varied surnames and middles."""
    names = []
    for i, given in enumerate(GIVENS):
        names.append(f"{SURNAMES[i % len(SURNAMES)]} {MIDDLES[i % len(MIDDLES)]} {given}")
        names.append(f"{SURNAMES[(i * 7 + 3) % 30]} {MIDDLES[(i * 3 + 1) % 20]} {given}")
    return names


ALL_NAMES = PUBLIC_FIGURES + generated_names()
