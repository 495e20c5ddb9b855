"""The one table reader: encodings over the whole file, long headers, separators,
decimal commas, nested Parquet columns and the shared time parser.

Every input file is built here from explicit bytes, so the encoding is what the test says.
"""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from tuneplate.cli import main
from tuneplate.engine.errors import TuneplateError
from tuneplate.engine.reader import (
    ReadingRules,
    parse_datetimes,
    read_table,
    read_table_with_rules,
)

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
        load_vertical("credit-risk"), read_table(path), Config(target="status", time="applied")
    )
    instants = parse_datetimes(table["applied"]).to_numpy()
    hold, dev = ready.split.holdout, ready.split.development
    assert "out-of-time" in ready.split.description
    assert instants[hold].min() > instants[dev].max()


def test_time_column_with_unparseable_values_is_counted(tmp_path):
    from tuneplate.engine.data import Roles
    from tuneplate.engine.splits import make_split

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
