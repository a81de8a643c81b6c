"""`motcua ask --json` gives the card's facts, each with the record field it came from."""

import json
from datetime import date

from bot.shell.cli import main


def test_ask_json_lists_each_fact_with_its_record_field(capsys):
    assert main(["ask", "le phi cap lai can cuoc", "--json", "--encoder", "none"]) == 0
    payload = json.loads(capsys.readouterr().out)
    card = payload["card"]
    assert card["code"] == "1.014064"
    assert card["provenance"].startswith("Theo Cổng Dịch vụ công quốc gia")
    assert card["url"] in card["provenance"]
    fees = [f for f in card["facts"] if f["facet"] == "fee"]
    assert fees and all(f["record_field"] == "cach_thuc_thuc_hien" for f in fees)
    # The record halves the 70.000 đồng fee until 31/12/2026.
    today_s = "35.000 đồng" if date.today() <= date(2026, 12, 31) else "70.000 đồng"
    assert any(f["text"].startswith(today_s) for f in fees)
    places = [f for f in card["facts"] if f["facet"] == "place"]
    assert places[0]["record_field"] == "co_quan_thuc_hien"
    assert places[0]["text"].startswith("Công an")
