"""Import and export (CSV, XLSX, vCard, iCalendar, JSON), reading and writing through book/."""
