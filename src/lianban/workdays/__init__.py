"""Working-day calendar: Chinese public holidays and make-up workdays (chinesecalendar) plus an admin-edited override table."""
