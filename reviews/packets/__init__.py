"""Packets: one case as promotion-packet/2 JSON (`build`; version 1 imports too), as a PDF
(`pdf`, `document`), read back from a file (`shapes` against the format's JSON Schema from
`formats`, then `checking` and `cycle_record`, `importing`), checked against its sign-off
(`verify`), and many cases as spreadsheets or one ZIP (`exports`)."""
