"""The spreadsheet round trip: a return as a workbook (`workbook.py`), and a workbook
read back, checked and applied (`upload.py`). The layout both sides agree on is in
`layout.py`."""
