package io.clprop.data;

import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import io.clprop.util.Wording;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static io.clprop.util.Wording.setting;

/**
 * Numeric CSV data: comma-separated feature columns and (for labelled data) one label column, UTF-8, one
 * sample per record. Records end at line breaks (LF, CRLF or CR) outside quotes; blank lines between records
 * are skipped. Cells may be double-quoted (RFC 4180): "" inside quotes is a quote, and a quoted cell may hold
 * line breaks, which are part of its text. Every problem is a one-line {@link UserError}
 * "file:line:column: problem", the line being the one the record starts on and the column counted from 1
 * (the cell number, not the character position). The reading is done by {@link CsvRecords} (records and
 * their cells), {@link CsvSchema} (what the columns are), {@link CsvRows} (the rows' values) and
 * {@link CsvLabels} (labels as classes).
 *
 * <p>A missing feature cell (empty, or the literal NA) is refused, or read as NaN for a {@link FeatureFill}
 * when the options allow it; NaN written as text stays an error, so a NaN in the result is a missing cell.
 *
 * <p>Labels: when every label is a non-negative integer ("3", or "3.0") the classes are 0..max; otherwise
 * the distinct label strings, sorted, are the classes and their names. A second file (a test set, or data
 * for a saved model) is read against the first one's classes.
 */
public final class CsvReader {
    /** More output units than this is almost certainly an ID column chosen as the label. */
    public static final int MAX_CLASSES = 65536;

    /**
     * The longest record, in characters (16 Mi): a line, or the lines a quoted cell stretches over. Beyond it
     * a line is refused and a quote is taken as never closed, rather than reading the rest of a large file
     * into memory to find that out. A record of 100 000 numbers of 20 characters takes an eighth of it.
     */
    public static final int MAX_RECORD_CHARS = 1 << 24;

    /**
     * The most columns a file may have (1 Mi): far wider than the data this trainer is for (an MNIST image is
     * 784 inputs), and a bound on what a row of commas costs (a String per cell) before its width is refused.
     */
    public static final int MAX_COLUMNS = 1 << 20;

    /** The text of a cell that is a missing value, as R and many exports write it (an empty cell is too). */
    public static final String MISSING_WORD = "NA";

    public enum HeaderMode { AUTO, PRESENT, ABSENT }

    /**
     * @param header      whether the first row is a header; AUTO: it is when a feature cell of the first row is
     *                    non-empty and not a number, or when the label column is given by name
     * @param labelColumn a header name, or a 0-based index (digits); null: the last column for labelled data,
     *                    none for {@link #readFeatures}
     * @param missing     whether a missing feature cell is read (as NaN) or refused
     * @param keepColumns header names of columns that are neither features nor the label, whose cells are
     *                    kept as text ({@link Features#kept}); they make the first row a header
     * @param keptBy      the setting that named them, for messages (null: {@link KeptBy#KEEP_COLUMNS})
     * @param inputShape  the image shape of a sample (null: plain feature rows); the features must be exactly
     *                    its values, else an {@link io.clprop.util.InvalidSetting}, and labelled data carries it
     */
    public record Options(HeaderMode header, String labelColumn, Missing missing, List<String> keepColumns,
                          KeptBy keptBy, ImageShape inputShape) {
        public Options {
            missing = missing == null ? Missing.REFUSED : missing;
            keepColumns = List.copyOf(keepColumns);
            keptBy = keptBy == null ? KeptBy.KEEP_COLUMNS : keptBy;
        }

        public Options(HeaderMode header, String labelColumn) {
            this(header, labelColumn, Missing.REFUSED, List.of(), null, null);
        }

        public static Options defaults() {
            return new Options(HeaderMode.AUTO, null);
        }

        public Options withMissing(Missing m) {
            return new Options(header, labelColumn, m, keepColumns, keptBy, inputShape);
        }

        public Options withKeepColumns(List<String> names) {
            return new Options(header, labelColumn, missing, names, keptBy, inputShape);
        }

        /** Columns left out of the features, named by the setting {@code by} in messages. */
        public Options withKeepColumns(List<String> names, KeptBy by) {
            return new Options(header, labelColumn, missing, names, by, inputShape);
        }

        /** Samples that are images of {@code shape} (null: plain feature rows). */
        public Options withInputShape(ImageShape shape) {
            return new Options(header, labelColumn, missing, keepColumns, keptBy, shape);
        }
    }

    /**
     * The setting that named {@link Options#keepColumns}, as messages name it: the columns to keep (copied
     * to a prediction's output), the columns to ignore, or both lists together.
     */
    public enum KeptBy {
        KEEP_COLUMNS("keepColumns"),
        IGNORE_COLUMNS("ignoreColumns"),
        KEEP_AND_IGNORE_COLUMNS("keepColumns", "ignoreColumns");

        private final String shown;

        KeptBy(String... settings) {
            shown = Arrays.stream(settings).map(Wording::setting).collect(Collectors.joining("/"));
        }

        /** The setting (or settings) as a message names them, marked for {@link Wording#render}. */
        String shown() {
            return shown;
        }
    }

    /**
     * What a missing feature cell (empty, or {@value #MISSING_WORD}) is: read as NaN, to be filled by a
     * {@link FeatureFill} (allowed), or an error at its position whose message goes on with {@code refusal}
     * (which names settings as messages do, with {@link Wording#setting}).
     */
    public record Missing(boolean allowed, String refusal) {
        public static final Missing ALLOWED = new Missing(true, "");
        public static final Missing REFUSED = new Missing(false, "which " + setting("missing")
                + " error (the default) refuses; train with " + setting("missing") + " mean or zero to fill it");

        /** Refused, the message going on with {@code refusal} (e.g. "but model m.clprop has no fill values"). */
        public static Missing refused(String refusal) {
            return new Missing(false, refusal);
        }
    }

    /**
     * The classes labels are mapped to: indices 0..count−1 with no names, or one name per index.
     *
     * @param whose for messages, e.g. "the model's classes"
     */
    public record Classes(int count, List<String> names, String whose) {
        public Classes {
            names = List.copyOf(names);
            if (!names.isEmpty() && names.size() != count) {
                throw new IllegalArgumentException(names.size() + " names for " + count + " classes");
            }
        }

        public boolean named() {
            return !names.isEmpty();
        }

        String describe() {
            if (!named()) {
                return count == 1 ? "0" : "0.." + (count - 1);
            }
            return CsvErrors.shownNames(names);
        }
    }

    /**
     * Labelled samples and the classes their labels were mapped to.
     *
     * @param featureNames   the header's names of the feature columns, in column order, the label column left
     *                       out; empty when the file has no header
     * @param featureColumns one description per feature, for messages: {@code column 3 ("petal_width")}, or
     *                       {@code column 3} without a header
     */
    public record Labelled(Dataset data, Classes classes, List<String> featureNames, List<String> featureColumns) {
        public Labelled {
            featureNames = List.copyOf(featureNames);
            featureColumns = List.copyOf(featureColumns);
        }
    }

    /**
     * Unlabelled samples (for prediction): {@code rows × featureCount} values, row-major.
     *
     * @param featureNames as in {@link Labelled}: the header's feature column names, empty without a header
     * @param keptNames    the columns of {@link Options#keepColumns}, in that order (empty: none)
     * @param kept         {@code rows × keptNames.size()} cells of those columns, row-major, as text
     */
    public record Features(float[] values, int rows, int featureCount, List<String> featureNames,
                           List<String> keptNames, String[] kept) {
        public Features {
            featureNames = List.copyOf(featureNames);
            keptNames = List.copyOf(keptNames);
        }
    }

    /**
     * A caller's look at a header's feature names before any data row is read, so a file whose columns are
     * wrong is refused at once rather than after parsing it (and with that message rather than one about a
     * cell of a column that should not be there). Passing one also asks for the names to be usable as keys:
     * each non-empty and distinct, else a "file:line:column" error. Not called for a file without a header.
     */
    @FunctionalInterface
    public interface HeaderCheck {
        /** Throws a {@link UserError} to refuse the file. */
        void check(List<String> featureNames);

        /** Only the names' own check (non-empty, distinct). */
        HeaderCheck NAMES_USABLE = names -> { };
    }

    private CsvReader() {
    }

    /** Labelled data whose classes are inferred from its own labels (a training set). */
    public static Labelled readLabelled(Path file, Options options) {
        return readLabelled(file, options, null);
    }

    /** Labelled data whose labels must be among {@code classes} (null: inferred from the labels). */
    public static Labelled readLabelled(Path file, Options options, Classes classes) {
        return readLabelled(file, options, classes, null);
    }

    /** {@link #readLabelled(Path, Options, Classes)} with a check of the header's feature names (null: none). */
    public static Labelled readLabelled(Path file, Options options, Classes classes, HeaderCheck check) {
        CsvErrors errors = new CsvErrors(file);
        CsvRows rows = read(errors, options, true, check);
        Classes c = classes != null ? classes : CsvLabels.infer(rows, errors);
        int[] labels = CsvLabels.classesOf(rows, c, errors);
        CsvSchema schema = rows.schema();
        return new Labelled(new Dataset(rows.features(), labels, schema.featureCount, c.count(), options.inputShape()), c,
                schema.featureNames(), schema.featureColumns());
    }

    /** Features only; a label column, if one is named in the options, is left out. */
    public static Features readFeatures(Path file, Options options) {
        return readFeatures(file, options, null);
    }

    /** {@link #readFeatures(Path, Options)} with a check of the header's feature names (null: none). */
    public static Features readFeatures(Path file, Options options, HeaderCheck check) {
        CsvRows rows = read(new CsvErrors(file), options, options.labelColumn() != null, check);
        CsvSchema schema = rows.schema();
        return new Features(rows.features(), rows.count(), schema.featureCount, schema.featureNames(),
                options.keepColumns(), rows.kept());
    }

    /** One pass over the file: its schema from the first record, then its rows. */
    private static CsvRows read(CsvErrors errors, Options options, boolean withLabel, HeaderCheck check) {
        Path file = errors.file;
        try {
            if (Files.isDirectory(file)) {
                throw errors.inFile("is a folder, expected a CSV file");
            }
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try (InputStreamReader in = new InputStreamReader(Files.newInputStream(file), decoder)) {
                return rows(new CsvRecords(new CsvLines(in), errors), errors, options, withLabel, check);
            }
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": file not found", e);
        } catch (AccessDeniedException e) {
            throw new UserError(file + ": permission denied", e);
        } catch (CharacterCodingException e) {
            throw new UserError(file + ": not UTF-8 text", e);
        } catch (CsvLines.TooLong e) {
            throw new UserError(file + ":" + e.line + ": a line longer than " + e.limit
                    + " characters (is this a CSV file?)", e);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static CsvRows rows(CsvRecords records, CsvErrors errors, Options options, boolean withLabel,
                                HeaderCheck check) throws IOException {
        CsvSchema.checkOptions(options);
        String line = records.next();
        if (line == null) {
            throw errors.inFile("empty file (no rows)");
        }
        int firstLine = records.lineNo();
        String[] first = records.cells(line);
        CsvSchema schema = CsvSchema.of(first, firstLine, options, withLabel, check, errors);
        // Before the rows: a large file with one column too many is refused at once.
        DeclaredShape.checkColumns(errors.file, options.inputShape(), schema.featureCount);
        CsvRows rows = new CsvRows(schema, options.missing(), errors);
        if (rows.schema().header == null) {
            rows.add(first, firstLine);
        }
        while ((line = records.next()) != null) {
            if (line.indexOf('"') < 0) {
                rows.addPlain(line, records.lineNo());
            } else {
                rows.add(records.cells(line), records.lineNo());
            }
        }
        if (rows.count() == 0) {
            throw errors.inFile("no data rows (only the header on line " + firstLine + ")");
        }
        return rows;
    }
}
