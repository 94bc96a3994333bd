package io.clprop.cli;

import io.clprop.data.CsvReader;
import io.clprop.util.UserError;
import picocli.CommandLine.Option;

import java.util.List;

/** How a CSV file is read: which column is the label, whether the first row is a header, which columns to leave out. */
public final class CsvOptions {
    @Option(names = "--label-column", paramLabel = "NAME|INDEX",
            description = "CSV: the label column, by header name or 0-based index (default: the last column; "
                    + "for predict: none, every column is a feature).")
    String labelColumn;

    @Option(names = "--header", negatable = true,
            description = "CSV: the first row is (--header) or is not (--no-header) a header "
                    + "(default: it is when one of its feature cells is not a number, or when --label-column is a name).")
    Boolean header;

    @Option(names = "--ignore-columns", split = ",", paramLabel = "NAME[,NAME…]",
            description = "CSV: header columns that are neither features nor the label (an id, a note), left out.")
    List<String> ignoreColumns = List.of();

    public CsvReader.Options toOptions() {
        CsvReader.HeaderMode mode = header == null ? CsvReader.HeaderMode.AUTO
                : header ? CsvReader.HeaderMode.PRESENT : CsvReader.HeaderMode.ABSENT;
        return new CsvReader.Options(mode, labelColumn).withKeepColumns(ignoreColumns, CsvReader.KeptBy.IGNORE_COLUMNS);
    }

    /** Whether any CSV-only option was given (an error with IDX data, which has neither). */
    boolean given() {
        return labelColumn != null || header != null || !ignoreColumns.isEmpty();
    }

    void rejectFor(String format) {
        if (labelColumn != null) {
            throw new UserError("--label-column applies to --format csv, not " + format);
        }
        if (header != null) {
            throw new UserError("--" + (header ? "" : "no-") + "header applies to --format csv, not " + format);
        }
        if (!ignoreColumns.isEmpty()) {
            throw new UserError("--ignore-columns applies to --format csv, not " + format);
        }
    }
}
