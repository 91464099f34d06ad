# json_writer.R: the JSON writer and round-trip check shared by the reference scripts
# (sourced by make_sem_reference.R and make_pls_reference.R).
#
# JSON writer (extends the one in make_reliability_reference.R to nested
# arrays): doubles with 17 significant digits (round-trip exact), integers as
# integers, NA/NaN/Inf and NULL as null, AsIs vectors and vectors of length != 1
# as arrays, named lists as objects (insertion order), unnamed lists as arrays.
# jsonlite::toJSON(digits = NA) (jsonlite 1.8.4) prints only 15 significant
# digits, so it is not used for writing.
q_json <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub('"', '\\\\"', s)
  s <- gsub("\n", "\\\\n", s)
  s <- gsub("\t", "\\\\t", s)
  paste0('"', s, '"')
}
scalar_json <- function(e) {
  if (is.character(e)) return(if (is.na(e)) "null" else q_json(e))
  if (is.logical(e)) return(if (is.na(e)) "null" else tolower(as.character(e)))
  if (is.na(e) || !is.finite(e)) return("null")
  if (is.integer(e)) return(as.character(e))
  sprintf("%.17g", e)
}
to_json <- function(v, indent = 0) {
  pad <- strrep("  ", indent)
  pad1 <- strrep("  ", indent + 1)
  if (is.null(v)) return("null")
  if (is.list(v) && !is.null(names(v))) {
    if (length(v) == 0) return("{}")
    parts <- vapply(names(v), function(n)
      paste0(pad1, q_json(n), ": ", to_json(v[[n]], indent + 1)), "")
    return(paste0("{\n", paste(parts, collapse = ",\n"), "\n", pad, "}"))
  }
  if (is.list(v)) {
    if (length(v) == 0) return("[]")
    parts <- vapply(v, function(e) paste0(pad1, to_json(e, indent + 1)), "")
    return(paste0("[\n", paste(parts, collapse = ",\n"), "\n", pad, "]"))
  }
  if (inherits(v, "AsIs") || length(v) != 1) {
    v <- unclass(v)
    if (length(v) == 0) return("[]")
    return(paste0("[", paste(vapply(v, scalar_json, ""), collapse = ", "), "]"))
  }
  scalar_json(v)
}

# Round-trip check: parse the file with jsonlite and compare every leaf with
# the R object (numbers bit-identical, NA <-> null, strings and logicals equal).
same <- function(a, b, path = "") {
  fail <- function(msg) stop("round trip failed at ", path, ": ", msg)
  if (is.null(a)) { if (!is.null(b)) fail("expected null"); return(invisible(TRUE)) }
  if (is.list(a)) {
    if (!is.list(b) || length(a) != length(b)) fail("list length")
    if (!is.null(names(a))) {
      if (!identical(names(a), names(b)) && length(a) > 0) fail("names")
      for (n in names(a)) same(a[[n]], b[[n]], paste0(path, "/", n))
    } else {
      for (i in seq_along(a)) same(a[[i]], b[[i]], paste0(path, "[", i, "]"))
    }
    return(invisible(TRUE))
  }
  scalar_same <- function(x, y, p) {
    if ((is.numeric(x) || is.logical(x) || is.character(x)) &&
        (is.na(x) || (is.numeric(x) && !is.finite(x)))) {
      if (!is.null(y)) stop("round trip failed at ", p, ": expected null")
    } else if (is.numeric(x)) {
      if (!is.numeric(y) || !identical(as.numeric(x), as.numeric(y)))
        stop("round trip failed at ", p, ": ", sprintf("%.17g", x), " read back as ", format(y))
    } else if (!identical(x, y)) {
      stop("round trip failed at ", p)
    }
  }
  if (inherits(a, "AsIs") || length(a) != 1) {
    a <- unclass(a)
    if (!is.list(b) || length(b) != length(a)) fail("array length")
    for (i in seq_along(a)) scalar_same(a[[i]], b[[i]], paste0(path, "[", i, "]"))
  } else {
    scalar_same(a, b, path)
  }
  invisible(TRUE)
}

# Write `value` to `path` and stop unless jsonlite reads every leaf back identically.
write_json_checked <- function(value, path) {
  writeLines(to_json(value), path, useBytes = TRUE)
  same(value, jsonlite::fromJSON(path, simplifyVector = FALSE))
  invisible(path)
}
