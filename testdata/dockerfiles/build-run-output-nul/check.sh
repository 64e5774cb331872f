# A NUL byte in RUN output reaches the plain log with the rest of the line.
tr '\000' '@' <"$LOG" | grep -qF 'before@after' || fail "the log lost the output after a NUL: $(tr '\000' '@' <"$LOG")"
