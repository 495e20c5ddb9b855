"""The one table reader: encodings over the whole file, long headers, separators,
decimal commas, nested Parquet columns and the shared time parser; then the readings a
user test found silently wrong (day/month order, thousands dots, stray tokens, percent,
mixed encodings, spaced header names, leading zeros).

Every input file is built here from explicit bytes, so the encoding is what the test says.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from tuneplate.cli import main
from tuneplate.engine.contract.dates import date_format, detect_date_format, parse_datetimes
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.reader import ReadingRules, read_table, read_table_with_rules

PREFIX = 64 * 1024  # the old reader's sniffing window


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def ascii_rows(n: int) -> str:
    return "".join(f"plain{i},{i % 2}\n" for i in range(n))


# ---------------------------------------------------------------- encodings


def test_utf8_whose_first_accent_comes_after_100_kb_is_read_as_utf8(tmp_path):
    body = ascii_rows(10_000)  # ~120 KB of ASCII before the first accent
    assert len(body) > 100_000
    path = write(tmp_path, "late.csv", ("name,y\n" + body + "café,1\nnaïve €,0\n").encode())
    table, rules = read_table_with_rules(path)
    assert rules.encoding == "utf-8"
    assert table["name"].iloc[-2:].tolist() == ["café", "naïve €"]  # not "cafÃ©"


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_multibyte_letter_straddling_64_kib_is_read_as_utf8(tmp_path, shift):
    """'€' is 3 bytes in UTF-8; put it across the old prefix boundary at each offset."""
    head = "name,y\n" + ascii_rows(3000)
    filler = PREFIX - len(head.encode()) - shift - len("x")
    data = (head + "x" * filler + "€,1\n" + ascii_rows(5)).encode()
    assert data[PREFIX - 3 : PREFIX + 3].decode().count("€") == 1  # really straddles
    table, rules = read_table_with_rules(write(tmp_path, "cut.csv", data))
    assert rules.encoding == "utf-8"
    assert table["name"].str.endswith("€").sum() == 1
    assert not table["name"].str.contains("â", regex=False).any()


def test_windows_1252_export_keeps_umlauts_and_euro(tmp_path):
    text = "name,city,y\nMüller,Köln,1\nStraße €,Zürich,0\n"
    table, rules = read_table_with_rules(write(tmp_path, "excel.csv", text.encode("cp1252")))
    assert rules.encoding == "cp1252"
    assert table["name"].tolist() == ["Müller", "Straße €"]
    assert table["city"].tolist() == ["Köln", "Zürich"]


def test_cp1252_after_a_long_ascii_start_is_still_cp1252(tmp_path):
    """The cousin of the late accent: a cp1252 byte late in the file is not UTF-8."""
    data = ("name,y\n" + ascii_rows(10_000)).encode() + "Müller,1\n".encode("cp1252")
    table, rules = read_table_with_rules(write(tmp_path, "late1252.csv", data))
    assert rules.encoding == "cp1252"
    assert table["name"].iloc[-1] == "Müller"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    data = b"name,y\nA\x81B,1\nC,0\n"  # 0x81 has no character in Windows-1252
    table, rules = read_table_with_rules(write(tmp_path, "odd.csv", data))
    assert rules.encoding == "latin-1"
    assert table.shape == (2, 2)


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32")],
)
def test_byte_order_marks_are_honoured(tmp_path, codec, expected):
    text = "name;amount;y\nMüller;12;1\nLuís;7;0\n"
    table, rules = read_table_with_rules(write(tmp_path, "bom.csv", text.encode(codec)))
    assert rules.encoding == expected
    assert list(table.columns) == ["name", "amount", "y"]  # no BOM glued to "name"
    assert table["name"].tolist() == ["Müller", "Luís"]
    assert table["amount"].tolist() == [12, 7]


def test_nul_byte_late_in_a_file_is_refused_as_binary(tmp_path):
    data = ("name,y\n" + ascii_rows(10_000)).encode() + b"\x00\x01\x02,1\n"
    with pytest.raises(TuneplateError, match="not a text file"):
        read_table(write(tmp_path, "tail.csv", data))


@pytest.mark.parametrize(("name", "kind"), [("book.xlsx", "Excel workbook"), ("x.zip", "zip")])
def test_zip_archives_are_refused_with_the_fix(tmp_path, name, kind):
    with pytest.raises(TuneplateError, match=f"{kind}.*save or extract it as a CSV"):
        read_table(write(tmp_path, name, b"PK\x03\x04" + bytes(200)))


# ---------------------------------------------------------------- header and separators


def long_names(n: int) -> list[str]:
    return [f"feature_with_a_rather_long_descriptive_name_{i:05d}" for i in range(n)]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_header_longer_than_any_prefix_is_read_whole(tmp_path, sep):
    names = long_names(3000)
    header = sep.join(names)
    assert len(header) > 70_000
    rows = "\n".join(sep.join(str((i + j) % 7) for j in range(3000)) for i in range(3))
    table, rules = read_table_with_rules(
        write(tmp_path, "wide.csv", (header + "\n" + rows).encode())
    )
    assert rules.separator == sep
    assert list(table.columns) == names
    assert table.shape == (3, 3000)


def test_true_duplicate_beyond_64_kib_of_header_is_refused(tmp_path):
    names = [*long_names(3000), "feature_with_a_rather_long_descriptive_name_00007"]
    data = (",".join(names) + "\n" + ",".join("1" * len(names)) + "\n").encode()
    with pytest.raises(TuneplateError, match="duplicate column names: feature_.*_00007; rename"):
        read_table(write(tmp_path, "dupes.csv", data))


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_true_duplicates_are_refused_in_one_line(tmp_path, sep):
    data = sep.join(["income", "age", "income", "y"]) + "\n" + sep.join("1234") + "\n"
    with pytest.raises(TuneplateError) as caught:
        read_table(write(tmp_path, "d.csv", data.encode()))
    message = str(caught.value)
    assert "duplicate column names: income;" in message and "\n" not in message


@pytest.mark.parametrize(("sep", "name"), [("\t", "tab.tsv"), ("|", "pipe.txt")])
def test_tab_and_pipe_files_with_commas_inside_values(tmp_path, sep, name):
    text = sep.join(["name", "amount", "y"]) + "\n"
    text += sep.join(["Smith, John", "10.5", "1"]) + "\n" + sep.join(["Doe, Jane", "3", "0"]) + "\n"
    table, rules = read_table_with_rules(write(tmp_path, name, text.encode()))
    assert rules.separator == sep and rules.decimal == "."
    assert table["name"].tolist() == ["Smith, John", "Doe, Jane"]
    assert table["amount"].tolist() == [10.5, 3.0]


# ---------------------------------------------------------------- decimal comma


def german_export(n: int = 80) -> bytes:
    """What Excel in a German locale saves: cp1252, ';', decimal comma, dot thousands."""
    rng = np.random.default_rng(0)
    lines = ["Kunde;Betrag;Rate;Anzahl;Datum;Notiz;status"]
    for i in range(n):
        amount = rng.uniform(100, 9000)
        whole, cents = divmod(round(amount * 100), 100)
        grouped = f"{whole:,}".replace(",", ".") + f",{cents:02d}"  # 1.234,50
        rate = f"{rng.uniform(0, 1):.3f}".replace(".", ",")  # 0,123
        count = f"{int(rng.integers(1000, 20000)):,}".replace(",", ".")  # 12.500, no comma
        date = f"{1 + i % 28:02d}.{1 + i % 12:02d}.2024"
        note = ["Müller", "1,5", "Größe 3", "Ärger"][i % 4]
        status = "bad" if rng.random() < 0.3 or i % 7 == 0 else "good"
        lines.append(f"Kunde {i};{grouped};{rate};{count};{date};{note};{status}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_german_excel_export_reads_amounts_as_numbers(tmp_path):
    table, rules = read_table_with_rules(write(tmp_path, "german.csv", german_export()))
    assert (rules.separator, rules.encoding, rules.decimal, rules.thousands) == (
        ";",
        "cp1252",
        ",",
        ".",
    )
    for column in ("Betrag", "Rate", "Anzahl"):
        assert pd.api.types.is_numeric_dtype(table[column]), column
    assert table["Betrag"].between(100, 9000).all()
    assert table["Rate"].between(0, 1).all()
    assert table["Anzahl"].between(1000, 20000).all()  # "12.500" is 12500, not 12.5
    # Dates with dots, and a column mixing "1,5" with words, stay text.
    assert table["Datum"].iloc[0] == "01.01.2024"
    assert table["Notiz"].tolist()[:4] == ["Müller", "1,5", "Größe 3", "Ärger"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.234,50", "999,00", "-12,5"], [1234.5, 999.0, -12.5]),
        (["1234,50", "0,5", "7"], [1234.5, 0.5, 7.0]),
        (["1.234.567,1", "2,25", "3"], [1234567.1, 2.25, 3.0]),
    ],
)
def test_decimal_comma_numbers_become_floats(tmp_path, cells, expected):
    text = "amount;y\n" + "".join(f"{c};{i % 2}\n" for i, c in enumerate(cells))
    table, rules = read_table_with_rules(write(tmp_path, "dc.csv", text.encode()))
    assert rules.decimal == ","
    assert table["amount"].tolist() == pytest.approx(expected)


def test_decimal_comma_file_keeps_point_decimals_and_text_apart(tmp_path):
    text = "amount;ratio;mixed;y\n1,5;3.5;1,5;1\n2,25;4.25;abc;0\n"
    table, rules = read_table_with_rules(write(tmp_path, "mix.csv", text.encode()))
    assert rules.decimal == ","
    assert table["amount"].tolist() == [1.5, 2.25]
    assert table["ratio"].tolist() == [3.5, 4.25]  # "3.5" is no thousands group
    assert table["mixed"].tolist() == ["1,5", "abc"]


def test_comma_separated_file_never_turns_quoted_text_into_numbers(tmp_path):
    text = 'code,amount,y\n"1,5",10.5,1\n"2,5",3.25,0\n"3,0",1,1\n'
    table, rules = read_table_with_rules(write(tmp_path, "quoted.csv", text.encode()))
    assert (rules.separator, rules.decimal) == (",", ".")
    assert table["code"].tolist() == ["1,5", "2,5", "3,0"]
    assert table["amount"].tolist() == [10.5, 3.25, 1.0]


def test_semicolon_file_with_point_decimals_is_unchanged(tmp_path):
    text = "amount;when;y\n1.5;01.02.2024;1\n2.25;02.03.2024;0\n"
    table, rules = read_table_with_rules(write(tmp_path, "points.csv", text.encode()))
    assert (rules.separator, rules.decimal, rules.thousands) == (";", ".", None)
    assert table["amount"].tolist() == [1.5, 2.25]
    assert table["when"].tolist() == ["01.02.2024", "02.03.2024"]


def test_stored_rules_read_a_later_file_the_same_way(tmp_path):
    _, rules = read_table_with_rules(write(tmp_path, "train.csv", german_export()))
    assert ReadingRules.from_dict(rules.to_dict()) == rules
    assert "semicolon-separated" in rules.describe() and "decimal comma" in rules.describe()
    # A scoring file whose amounts happen to be whole: detection alone could not tell.
    later = "Kunde;Betrag;status\nA;1.200;good\nB;15.000;bad\n".encode("cp1252")
    scored, used = read_table_with_rules(write(tmp_path, "later.csv", later), rules=rules)
    assert (used.separator, used.decimal, used.thousands) == (";", ",", ".")
    assert scored["Betrag"].tolist() == [1200, 15000]
    # Re-saved as gzip UTF-8: the bytes decide encoding and compression, not the stored rules.
    resaved = gzip.compress("Kunde;Betrag;status\nMüller;1.200;good\nB;7,5;bad\n".encode())
    scored, used = read_table_with_rules(write(tmp_path, "later.csv.gz", resaved), rules)
    assert (used.encoding, used.compression, used.decimal) == ("utf-8", "gzip", ",")
    assert scored["Kunde"].iloc[0] == "Müller"
    assert scored["Betrag"].tolist() == [1200.0, 7.5]


def test_a_file_saved_with_another_separator_gets_its_own_rules(tmp_path):
    _, rules = read_table_with_rules(write(tmp_path, "train.csv", german_export()))
    # The same model scored on a comma CSV with point decimals, e.g. from another system.
    later = b"Kunde,Betrag,status\nA,1200.5,good\nB,7.25,bad\n"
    scored, used = read_table_with_rules(write(tmp_path, "later.csv", later), rules=rules)
    assert (used.separator, used.decimal) == (",", ".")
    assert scored["Betrag"].tolist() == [1200.5, 7.25]


def test_the_rules_travel_with_the_table(tmp_path):
    table = read_table(write(tmp_path, "train.csv", german_export()))
    assert ReadingRules.from_dict(table.attrs["reading_rules"]).decimal == ","


# ---------------------------------------------------------------- compression and Parquet


@pytest.mark.parametrize("name", ["data.csv.gz", "data.csv"])
def test_gzip_csv_is_read_by_its_bytes_not_its_name(tmp_path, name):
    data = gzip.compress("name;amount;y\nMüller;1.234,50;1\nDoe;7,25;0\n".encode("cp1252"))
    table, rules = read_table_with_rules(write(tmp_path, name, data))
    assert (rules.compression, rules.encoding, rules.decimal) == ("gzip", "cp1252", ",")
    assert table["amount"].tolist() == [1234.5, 7.25]
    assert table["name"].tolist() == ["Müller", "Doe"]


def test_parquet_with_lists_structs_and_maps_is_refused_naming_them(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "income": [1.0, 2.0],
            "tags": pa.array([["a", "b"], ["c"]]),
            "address": pa.array([{"city": "X", "zip": 1}, {"city": "Y", "zip": 2}]),
            "scores": pa.array([[("k", 1)], [("j", 2)]], type=pa.map_(pa.string(), pa.int64())),
            "y": [0, 1],
        }
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    with pytest.raises(TuneplateError) as caught:
        read_table(path)
    message = str(caught.value)
    assert "\n" not in message
    for needle in (
        "column 'tags' holds lists",
        "column 'address' holds structs",
        "column 'scores' holds maps",
        "one value per cell: flatten them or drop them",
    ):
        assert needle in message


def test_flat_parquet_is_read_with_parquet_rules(tmp_path):
    path = tmp_path / "flat.parquet"
    pd.DataFrame({"income": [1.5, 2.5], "y": ["bad", "good"]}).to_parquet(path)
    table, rules = read_table_with_rules(path)
    assert rules.format == "parquet" and rules.separator is None
    assert table["income"].tolist() == [1.5, 2.5]


# ---------------------------------------------------------------- times


def test_parse_datetimes_converts_changing_offsets_to_utc():
    values = pd.Series(
        ["2024-03-30T12:00:00+01:00", "2024-04-02T12:00:00+02:00", "2024-10-28T09:30:00+01:00"]
    )
    parsed = parse_datetimes(values)
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    assert parsed.dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-30 11:00",
        "2024-04-02 10:00",
        "2024-10-28 08:30",
    ]


def test_parse_datetimes_naive_as_utc_and_bad_values_as_nat():
    parsed = parse_datetimes(pd.Series(["2024-01-05 10:00", "yesterday", None, "2024-01-06"]))
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    assert parsed.isna().tolist() == [False, True, True, False]
    assert parsed.iloc[0] == pd.Timestamp("2024-01-05 10:00", tz="UTC")


def test_parse_datetimes_accepts_datetime_columns_and_dotted_dates():
    aware = pd.Series(pd.to_datetime(["2024-07-01 12:00"]).tz_localize("Europe/Berlin"))
    assert parse_datetimes(aware).iloc[0] == pd.Timestamp("2024-07-01 10:00", tz="UTC")
    naive = pd.Series(pd.to_datetime(["2024-07-01 12:00"]))
    assert parse_datetimes(naive).iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="UTC")
    dotted = parse_datetimes(pd.Series(["01.02.2024", "31.03.2024"]))
    assert dotted.dt.month.tolist() == [2, 3]  # day first, as written in Germany


def dst_loans(n: int = 240) -> pd.DataFrame:
    """Loans whose application time crosses the spring DST change (+01:00 -> +02:00)."""
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2024-03-01 09:00", tz="Europe/Berlin")
    stamps = [start + pd.Timedelta(hours=7 * i) for i in rng.permutation(n)]
    income = rng.normal(50, 10, n).round(1)
    bad = rng.random(n) < 0.3
    return pd.DataFrame(
        {
            "applied": [s.isoformat() for s in stamps],  # offsets +01:00 and +02:00 mixed
            "income": income,
            "purpose": rng.choice(["car", "home", "other"], n),
            "status": np.where(bad, "bad", "good"),
        }
    )


def test_time_split_on_a_column_with_dst_offsets(tmp_path):
    from tuneplate.engine.tune import Config, plan
    from tuneplate.verticals import load_vertical

    table = dst_loans()
    assert table["applied"].str.endswith("+01:00").any()
    assert table["applied"].str.endswith("+02:00").any()
    path = tmp_path / "dst.csv"
    table.to_csv(path, index=False)
    ready = plan(
        load_vertical("credit-risk"), read_table(path), Config.flat(target="status", time="applied")
    )
    instants = parse_datetimes(table["applied"]).to_numpy()
    hold, dev = ready.split.holdout, ready.split.development
    assert "out-of-time" in ready.split.description
    assert instants[hold].min() > instants[dev].max()


def test_time_column_with_unparseable_values_is_counted(tmp_path):
    from tuneplate.engine.data.roles import Roles
    from tuneplate.engine.data.splits import make_split

    table = dst_loans()
    table.loc[5, "applied"] = "soon"
    y = (table["status"] == "bad").astype(int).to_numpy()
    with pytest.raises(TuneplateError, match="0 missing value.* and 1 that are not dates.*'soon'"):
        make_split(table, y, Roles(target="status", time="applied"), n_folds=3, seed=0)


# ---------------------------------------------------------------- the CLI


def test_cli_check_on_a_german_export_reads_the_amount_as_a_number(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "german.csv", german_export(n=300))
    code = main(["check", "credit-risk", "--data", str(path), "--target", "status"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    assert "Betrag" not in captured.out  # not reported as high-cardinality text
    assert "Rate" not in captured.out
    table = read_table(path)
    assert table["Betrag"].dtype == float and table["Betrag"].nunique() > 50


# ---------------------------------------------------------------- faults found by a user test
# Each reading below used to be silently wrong; now it is right, or refused, or said.


def _learn(table: pd.DataFrame, target: str):
    from tuneplate.engine.contract.schema import Schema

    rules = table.attrs.get("reading_rules")
    return Schema.learn(table, [c for c in table.columns if c != target], rules)


def uk_dates(n: int = 700, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    days = pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    return pd.Series(pd.Timestamp("2022-01-01") + days)


def test_slash_dates_day_first_are_read_with_one_order_for_the_whole_column(tmp_path):
    """12/03/2023 next to 20/01/2022: 12 March, not 3 December (~40% were wrong)."""
    rng = np.random.default_rng(0)
    dates = uk_dates()
    table = pd.DataFrame(
        {
            "x": rng.normal(size=len(dates)),
            "Datum": dates.dt.strftime("%d/%m/%Y"),
            "y": rng.choice(["Yes", "No"], len(dates)),
        }
    )
    table.to_csv(tmp_path / "uk.csv", sep=";", index=False)
    read = read_table(tmp_path / "uk.csv")
    parsed = parse_datetimes(read["Datum"])
    assert (parsed != dates.dt.tz_localize("UTC")).sum() == 0
    schema, notes = _learn(read, "y")
    assert schema.feature("Datum").date_format == "%d/%m/%Y"
    assert not [n for n in notes if n.check == "date_order"]  # a day above 12 proved it


@pytest.mark.parametrize(
    ("pattern", "day_first"),
    [
        ("%d.%m.%Y", True),
        ("%d-%m-%y", True),
        ("%d/%m/%Y %H:%M", True),
        ("%m/%d/%Y", False),  # US order, proved by a second field above 12
        ("%m-%d-%Y %H:%M:%S", False),
    ],
)
def test_numeric_dates_of_either_order_are_read_right(pattern, day_first):
    stamps = uk_dates(300, seed=1) + pd.to_timedelta(np.arange(300) % 24, unit="h")
    if "%H" not in pattern:
        stamps = stamps.dt.normalize()
    text = stamps.dt.strftime(pattern)
    found = detect_date_format(text)
    assert found.format.startswith("%d" if day_first else "%m") and not found.ambiguous
    assert (parse_datetimes(text) == stamps.dt.tz_localize("UTC")).all()


def test_a_scoring_batch_without_a_day_above_12_keeps_the_training_order():
    training = uk_dates().dt.strftime("%d/%m/%Y")
    batch = pd.Series(["03/04/2023", "11/12/2022", "01/02/2024"])  # no day above 12
    assert parse_datetimes(batch, date_format(training)).dt.month.tolist() == [4, 12, 2]
    us = uk_dates().dt.strftime("%m/%d/%Y")
    assert parse_datetimes(batch, date_format(us)).dt.month.tolist() == [3, 11, 1]


def test_the_schema_stores_the_date_format_and_scores_with_it(tmp_path):
    from tuneplate.engine.contract.schema import Schema

    rng = np.random.default_rng(2)
    dates = uk_dates(400, seed=2)
    table = pd.DataFrame(
        {"opened": dates.dt.strftime("%d/%m/%Y"), "x": rng.normal(size=400), "y": [0, 1] * 200}
    )
    schema, _ = _learn(table, "y")
    schema = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))  # as saved with a model
    batch = pd.DataFrame({"opened": ["03/04/2023", "01/02/2024"], "x": [0.0, 1.0]})
    encoded, counts = schema.encode(batch)
    expected = pd.to_datetime(["2023-04-03", "2024-02-01"]).tz_localize("UTC")
    days = (expected - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1)
    assert encoded[schema.keys["opened"]].tolist() == pytest.approx(list(days))
    assert counts["opened"].unreadable == 0


def test_an_ambiguous_date_column_is_read_day_first_and_said():
    table = pd.DataFrame(
        {"signed": ["03/04/2023", "05/06/2023", "01/12/2022", "07/08/2023"] * 30, "y": [0, 1] * 60}
    )
    found = detect_date_format(table["signed"])
    assert found.ambiguous and "day first assumed" in found.describe()
    schema, notes = _learn(table, "y")
    (note,) = [n for n in notes if n.check == "date_order"]
    assert "signed: dates read as day/month/year" in note.message
    assert schema.feature("signed").date_format == "%d/%m/%Y"


def test_a_column_mixing_both_day_month_orders_is_refused_naming_it():
    values = pd.Series(["20/01/2022", "01/20/2022", "05/06/2022"], name="Datum")
    with pytest.raises(TuneplateError) as caught:
        parse_datetimes(values)
    message = str(caught.value)
    assert "column 'Datum' mixes day/month/year" in message and "month/day/year" in message
    assert "\n" not in message


def test_a_column_mixing_dotted_and_iso_dates_reads_each_right():
    values = pd.Series(["12.03.2023", "2023-03-20", "01.02.2024", "2024-02-03 10:30"])
    parsed = parse_datetimes(values)
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == [
        "2023-03-12",
        "2023-03-20",
        "2024-02-01",
        "2024-02-03",
    ]
    assert detect_date_format(values).format == "%d.%m.%Y"


def dotted_amounts(n: int = 700, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{v:,}".replace(",", ".") for v in rng.integers(300, 20000, n)]


def test_whole_amounts_with_a_thousands_dot_in_a_semicolon_file_are_integers(tmp_path):
    rng = np.random.default_rng(0)
    amounts = dotted_amounts()
    pd.DataFrame(
        {"Betrag": amounts, "Alter": rng.integers(19, 75, 700), "Ausfall": ["Yes", "No"] * 350}
    ).to_csv(tmp_path / "c.csv", sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    table, rules = read_table_with_rules(tmp_path / "c.csv")
    assert (rules.decimal, rules.thousands) == (".", ".")
    assert table["Betrag"].tolist() == [int(a.replace(".", "")) for a in amounts]
    assert "thousands" in rules.describe()
    notes = table.attrs["reading_notes"]
    assert [n["check"] for n in notes] == ["thousands_dots"] and notes[0]["columns"] == ("Betrag",)
    # A later batch under the stored rules reads "1.200" as 1200 as well.
    later = write(tmp_path, "later.csv", b"Betrag;Alter;Ausfall\n1.200;30;No\n950;41;Yes\n")
    assert read_table_with_rules(later, rules)[0]["Betrag"].tolist() == [1200, 950]


def test_thousands_dots_with_a_stray_token_keep_the_token_for_the_schema(tmp_path):
    amounts = dotted_amounts(200)
    amounts[3] = amounts[50] = "-"
    text = "Betrag;y\n" + "".join(f"{a};{i % 2}\n" for i, a in enumerate(amounts))
    table = read_table(write(tmp_path, "t.csv", text.encode()))
    assert table["Betrag"].iloc[0] == int(amounts[0].replace(".", ""))
    schema, notes = _learn(table, "y")
    assert schema.feature("Betrag").kind == "numeric"
    assert any("Betrag: 2 values not numbers" in n.message for n in notes)


@pytest.mark.parametrize(
    ("sep", "other", "why"),
    [
        (";", "3.5", "other decimals with a point"),  # the file writes point decimals
        (";", "0.125", "other decimals with a point"),  # 0.125 is no thousands group
        ("\t", "7", "tab or pipe file"),  # no convention to lean on
    ],
)
def test_dotted_amounts_that_may_be_decimals_are_read_as_decimals_and_said(
    tmp_path, sep, other, why
):
    amounts = dotted_amounts(100)
    lines = [sep.join(["Betrag", "Rate", "y"])]
    lines += [sep.join([a, other, str(i % 2)]) for i, a in enumerate(amounts)]
    table, rules = read_table_with_rules(write(tmp_path, "d.csv", "\n".join(lines).encode()))
    assert rules.thousands is None
    assert table["Betrag"].iloc[0] == pytest.approx(float(amounts[0]))
    assert table["Rate"].iloc[0] == pytest.approx(float(other))
    (note,) = table.attrs["reading_notes"]
    assert note["check"] == "ambiguous_numbers" and note["severity"] == "warning"
    assert note["columns"] == ("Betrag",) and why in note["message"]


def test_a_column_with_4_digit_whole_numbers_without_dots_is_ambiguous(tmp_path):
    text = "Betrag;y\n12.000;1\n4500;0\n3.547;1\n"
    table, rules = read_table_with_rules(write(tmp_path, "a.csv", text.encode()))
    assert rules.thousands is None and table["Betrag"].tolist() == [12.0, 4500.0, 3.547]
    assert table.attrs["reading_notes"][0]["check"] == "ambiguous_numbers"


def comma_amounts(n: int = 300, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        for v in rng.uniform(300, 20000, n)
    ]


@pytest.mark.parametrize("token", ["-", "unknown", "k.A.", "#NV", "n/a", "", "?"])
def test_a_few_stray_tokens_do_not_hide_a_decimal_comma_column(tmp_path, token):
    amounts = comma_amounts()
    for i in (3, 10, 20, 30):
        amounts[i] = token
    amounts[40] = amounts[40] + " "  # trailing space
    rng = np.random.default_rng(1)
    lines = ["Kreditbetrag;Zweck;y"] + [
        f"{a};{rng.choice(['Auto', 'Haus'])};{i % 2}" for i, a in enumerate(amounts)
    ]
    table, rules = read_table_with_rules(write(tmp_path, "k.csv", "\n".join(lines).encode()))
    assert rules.decimal == ","
    expected = float(amounts[0].replace(".", "").replace(",", "."))
    assert table["Kreditbetrag"].iloc[0] == pytest.approx(expected)
    assert table["Kreditbetrag"].iloc[40] == pytest.approx(
        float(amounts[40].strip().replace(".", "").replace(",", "."))
    )
    schema, notes = _learn(table, "y")
    assert schema.feature("Kreditbetrag").kind == "numeric"
    if token not in ("", "n/a"):  # pandas reads blank and n/a as missing; tokens are said
        (note,) = [n for n in notes if n.check == "text_in_numbers"]
        assert note.message.startswith("Kreditbetrag: 4 values not numbers (")
    typed = schema.typed(table)["Kreditbetrag"]
    assert typed.isna().sum() == 4 and typed.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("sep", "cells", "expected"),
    [(";", ["12,5 %", "7 %", "0,25 %"], [12.5, 7.0, 0.25]), (",", ["12.5%", "7%", "0.25%"], None)],
)
def test_percent_columns_are_numbers_in_percent_units(tmp_path, sep, cells, expected):
    expected = expected or [12.5, 7.0, 0.25]
    lines = [sep.join(["Zins", "y"])] + [
        sep.join([c, str(i % 2)]) for i, c in enumerate(cells * 20)
    ]
    table = read_table(write(tmp_path, "p.csv", "\n".join(lines).encode()))
    schema, _ = _learn(table, "y")
    assert schema.feature("Zins").kind == "numeric"  # never a one-level category
    assert schema.typed(table)["Zins"].tolist()[:3] == pytest.approx(expected)


def mixed_encoding_file() -> bytes:
    rows = ["a,city,y"] + [f"{i},Berlin,{i % 2}" for i in range(600)]
    utf8 = "\n".join(rows[:300] + ["1,München,1"] * 20).encode()
    cp1252 = ("\n".join(rows[300:] + ["1,München,0"] * 20) + "\n").encode("cp1252")
    return utf8 + b"\n" + cp1252


def test_a_file_mixing_utf8_and_cp1252_is_refused_naming_lines(tmp_path):
    with pytest.raises(TuneplateError) as caught:
        read_table(write(tmp_path, "m.csv", mixed_encoding_file()))
    message = str(caught.value)
    assert "m.csv' mixes two encodings: UTF-8 (e.g. line 301) and Windows-1252 (e.g. line 622)" in (
        message
    )
    assert "save it again with one encoding" in message and "\n" not in message


@pytest.mark.parametrize("case", ["bom", "gzip", "cp1252_first", "late_broken_byte"])
def test_other_mixed_encodings_are_refused_too(tmp_path, case):
    good = "name,y\n" + "".join(f"Zoë {i},{i % 2}\n" for i in range(100))
    if case == "bom":
        data = b"\xef\xbb\xbf" + good.encode() + "Köln,1\n".encode("cp1252")
    elif case == "gzip":
        data = gzip.compress(mixed_encoding_file())
    elif case == "cp1252_first":
        data = good.encode("cp1252") + "Zoë,1\n".encode()
    else:  # a UTF-8 file with one broken letter far beyond the first MiB
        data = good.encode() + ascii_rows(120_000).encode() + b"Caf\xe9,1\n"
    with pytest.raises(TuneplateError, match="mixes two encodings: UTF-8 .* and Windows-1252"):
        read_table(write(tmp_path, f"{case}.csv", data))


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_header_names_lose_surrounding_spaces(tmp_path, sep):
    text = sep.join([" Alter", "Betrag ", "Ausfall "]) + "\n" + sep.join("123") + "\n"
    table = read_table(write(tmp_path, "h.csv", text.encode()))
    assert list(table.columns) == ["Alter", "Betrag", "Ausfall"]


def test_names_equal_once_stripped_are_duplicates(tmp_path):
    with pytest.raises(TuneplateError, match="duplicate column names: Ausfall;"):
        read_table(write(tmp_path, "d.csv", b"Ausfall,Ausfall ,x\n1,0,2\n"))


def test_cli_finds_a_target_written_with_a_trailing_space(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"income ": rng.normal(size=300), "status ": ["bad", "good"] * 150})
    table.to_csv(tmp_path / "s.csv", index=False)
    code = main(["check", "credit-risk", "--data", str(tmp_path / "s.csv"), "--target", "status"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err


@pytest.mark.parametrize(
    ("sep", "cells"),
    [
        (",", ["01067", "10115", "80331"]),  # postcodes
        (";", ["000123", "000124", "000125"]),  # zero-padded ids
        (";", ["01067", "", "80331"]),  # with a blank: pandas would make floats
        ("\t", ["-01", "02", "3"]),
    ],
)
def test_codes_with_leading_zeros_stay_text(tmp_path, sep, cells):
    rows = [sep.join(["code", "amount", "y"])]
    rows += [sep.join([c, "1,5" if sep == ";" else "1.5", str(i % 2)]) for i, c in enumerate(cells)]
    table = read_table(write(tmp_path, "z.csv", ("\n".join(rows * 1) + "\n").encode()))
    column = table["code"]
    assert not pd.api.types.is_numeric_dtype(column)
    assert column.fillna("").tolist() == cells
    assert table["amount"].tolist() == [1.5] * 3  # "1,5"/"1.5" are still numbers
    assert table.attrs["reading_notes"][-1]["check"] == "leading_zeros"
    schema, _ = _learn(pd.concat([table] * 10, ignore_index=True), "y")
    assert schema.feature("code").kind == "categorical"


def test_numbers_below_one_are_not_codes(tmp_path):
    text = "a;b;y\n0,5;0;1\n0,25;10;0\n"
    table = read_table(write(tmp_path, "n.csv", text.encode()))
    assert table["a"].tolist() == [0.5, 0.25] and table["b"].tolist() == [0, 10]
    assert table.attrs["reading_notes"] == []


def one_group_ratios(n: int = 200, seed: int = 0) -> list[str]:
    """Ratios written with a dot and three decimals, 1.000 to 20.999: like thousands."""
    rng = np.random.default_rng(seed)
    return [f"{v:.3f}" for v in rng.uniform(1, 21, n)]


def semicolon_file(tmp_path, column: list[str], comma_decimals: bool = True):
    """A semicolon file with `column` as "ratio" beside decimal-comma amounts (or whole)."""
    rng = np.random.default_rng(1)
    amounts = [
        f"{v:.2f}".replace(".", ",") if comma_decimals else str(int(v))
        for v in rng.uniform(100, 900, len(column))
    ]
    rows = enumerate(zip(amounts, column, strict=True))
    lines = ["amount;ratio;y"] + [f"{a};{r};{i % 2}" for i, (a, r) in rows]
    return write(tmp_path, "s.csv", "\n".join(lines).encode())


@pytest.mark.parametrize("comma_decimals", [True, False])
def test_a_column_that_could_be_thousands_or_three_decimals_is_named_in_a_warning(
    tmp_path, comma_decimals
):
    """Every value "1.197"-like: read as thousands (the semicolon file's convention), but
    the reader cannot know, and a 1,000-fold misreading must not pass unsaid."""
    ratios = one_group_ratios()
    table, rules = read_table_with_rules(semicolon_file(tmp_path, ratios, comma_decimals))
    assert rules.thousands == "."
    assert table["ratio"].iloc[0] == int(ratios[0].replace(".", ""))
    (note,) = [n for n in table.attrs["reading_notes"] if "ratio" in n["columns"]]
    assert note["check"] == "ambiguous_numbers" and note["severity"] == "warning"
    assert note["columns"] == ("ratio",) and "1,000 times" in note["message"]
    why = "decimal mark is a comma" if comma_decimals else "semicolon files group thousands"
    assert why in note["message"]
    assert "1250 if thousands" in note["fix"]  # a real thousands column can clear it too


@pytest.mark.parametrize(
    "settles", ["950", "1.234.567"], ids=["a value below 1,000 written plainly", "two groups"]
)
def test_one_value_that_cannot_be_a_decimal_settles_the_thousands_reading(tmp_path, settles):
    ratios = one_group_ratios()
    ratios[7] = settles
    table = read_table(semicolon_file(tmp_path, ratios))
    assert table["ratio"].iloc[7] == int(settles.replace(".", ""))
    assert not [n for n in table.attrs["reading_notes"] if n["check"] == "ambiguous_numbers"]


def test_check_names_the_column_that_may_be_read_1000_times_too_large(tmp_path, capsys):
    rng = np.random.default_rng(2)
    n = 400
    lines = ["status;amount;debt_ratio"]
    for i in range(n):
        amount = f"{rng.uniform(100, 900):.2f}".replace(".", ",")
        lines.append(f"{'bad' if i % 5 == 0 else 'good'};{amount};{rng.uniform(1, 3):.3f}")
    path = write(tmp_path, "loans.csv", "\n".join(lines).encode())
    assert main(["check", "credit-risk", "--data", str(path), "--target", "status"]) == 0
    out = capsys.readouterr()
    (line,) = [x for x in (out.out + out.err).splitlines() if "debt_ratio:" in x]
    assert line.startswith("WARNING") and "1,000 times too large" in line


def test_a_lab_value_beyond_the_detection_limit_is_named_not_just_counted(tmp_path):
    """'<0.5' in a bilirubin column is a low result, not an unknown one. It is still read
    as missing (the model cannot know the value), but the note says what it was and how
    to keep it, without printing a value held by fewer than 10 rows."""
    rng = np.random.default_rng(3)
    bili = [f"{v:.1f}" for v in rng.uniform(0.6, 20, 400)]
    for i, text in zip(range(0, 50, 10), ["<0.5", "< 0.5", "<0.3", ">25", "n/a"], strict=True):
        bili[i] = text
    lines = ["bili,y"] + [f"{b},{i % 2}" for i, b in enumerate(bili)]
    table = read_table(write(tmp_path, "lab.csv", "\n".join(lines).encode()))
    schema, notes = _learn(table, "y")
    assert schema.feature("bili").kind == "numeric"
    (note,) = [n for n in notes if n.check == "text_in_numbers"]
    assert "bili: 4 values not numbers (written as a limit, like <0.5 or >1000)" in note.message
    assert "<0.3" not in note.message and ">25" not in note.message  # no single row's value
    assert "half the lower limit, or the upper limit" in note.fix
    # eight different limits and two other texts: still a number column, each said once
    many = [*bili]
    for i, text in enumerate(["<0.1", "<0.2", "<0.3", "<0.4", "<0.5", "<0.6", "<0.7", ">25"]):
        many[60 + i] = text
    many[70], many[71] = "-", "?"
    schema, notes = _learn(pd.DataFrame({"bili": many, "y": [i % 2 for i in range(400)]}), "y")
    assert schema.feature("bili").kind == "numeric"
    (note,) = [n for n in notes if n.check == "text_in_numbers"]
    assert "12 values written as a limit" in note.message and "'<0.1'" not in note.message
    # a column without such values keeps the plain fix
    plain = pd.DataFrame({"bili": ["1.0", "-", *bili[50:]], "y": [i % 2 for i in range(352)]})
    (note,) = [n for n in _learn(plain, "y")[1] if n.check == "text_in_numbers"]
    assert "limit" not in note.message and note.fix.startswith("nothing to do")
