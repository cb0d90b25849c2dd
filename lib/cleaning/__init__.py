"""The import pipeline, pure: parse -> map -> clean -> match (no Django here).

parse.parse_file reads a spreadsheet; columns.guess_mapping / apply_mapping turn its rows
into raw records; rules.clean_record standardises one record and lists its problems;
match finds duplicates; pipeline.clean_files runs it all and write_clean_csv writes the
clean file; export.neutralise guards every exported cell against formula injection.
"""
