import gzip
import json

from knowledge.portal_import import import_lines, import_portal_file


def record(code="1.000001", name="Thủ tục thử", **extra):
    base = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": name,
        "cap_thuc_hien": "Cấp tỉnh, Cấp xã",
        "linh_vuc": "Hộ tịch",
        "cach_thuc_thuc_hien": (
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việcMiễn phí"
        ),
        "thanh_phan_ho_so": "Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai1 bản chính",
        "co_quan_thuc_hien": "Không có thông tin",
        "detail_url": "https://example.invalid/1",
    }
    base.update(extra)
    return json.dumps(base, ensure_ascii=False)


def test_bad_lines_are_reported_with_their_number_and_skipped():
    lines = [
        record("1.000001"),
        "{not json",
        record("bad-code"),
        record("1.000002", name="--"),
        record("1.000001"),
        "",
        record("1.000003"),
    ]
    catalogue, report = import_lines(lines)
    assert [p.code for p in catalogue] == ["1.000001", "1.000003"]
    assert report.lines == 6 and report.imported == 2 and report.skipped == 4
    numbers = [number for number, _ in report.errors]
    assert numbers == [2, 3, 4, 5]
    assert "invalid JSON" in report.errors[0][1]
    assert "duplicate" in report.errors[3][1]


def test_empty_markers_become_empty_fields_and_levels_are_typed():
    catalogue, _ = import_lines([record()])
    (proc,) = catalogue
    assert proc.agency == ""
    assert proc.levels == ("province", "commune")
    assert proc.channel("in_person").time_value == 3


def test_the_national_catalogue_imports_whole(national_path):
    catalogue, report = import_portal_file(national_path)
    assert report.imported == len(catalogue) == 2642
    assert report.skipped == 0
    assert report.rate("documents") > 0.95
    assert report.rate("channels") > 0.99
    assert report.rate("time") > 0.80
    assert report.rate("fee") > 0.78
    passport = catalogue.get("1.001456")
    fees = {o.channel: o.fee_vnd for o in passport.channels}
    assert fees["in_person"] == 200000 and fees["online"] == 160000


def test_gzip_and_plain_files_read_the_same(tmp_path):
    plain = tmp_path / "c.jsonl"
    plain.write_text(record() + "\n", encoding="utf-8")
    packed = tmp_path / "c.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert [p.code for p in import_portal_file(plain)[0]] == [
        p.code for p in import_portal_file(packed)[0]
    ]


def test_tables_are_read_in_composed_unicode_without_invisible_marks():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Giấy chứng sinh")
    table = "Tên giấy tờMẫu đơn, tờ khaiSố lượng" + decomposed + "\u200e1 bản chính"
    catalogue, _ = import_lines([record(thanh_phan_ho_so=table)])
    (document,) = catalogue.get("1.000001").documents
    # the encoder and the matching both see the word as citizens type it
    assert document.name == "Giấy chứng sinh"
