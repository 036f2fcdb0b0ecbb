"""The pages of cases, one module per concern: `cases` (a case and its packet), `evidence`,
`check_ins`, `feedback`, `sign_off`, `dashboard` (the sponsor's) and `hr` (HR's list, actions,
import and exports). `common` holds the access helpers they share; `case_page`, `lists` and
`filters` shape what the pages show."""
