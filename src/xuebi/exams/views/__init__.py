"""The exams' pages, one module per part: ``bank`` (题库、试题、导入导出、试卷), ``manage`` (考试的设置与发布、
阅卷、重新评分), ``taking`` (答题、练习、错题本), ``results`` (成绩、统计、排行、现场考评)."""
