tar -C payload -cf plain.tar sub
tar -C payload -czf gz.tar.gz sub
tar -C payload -cjf bz.tar.bz2 sub 2>/dev/null || cp plain.tar bz.tar.bz2
tar -C payload -cJf xz.tar.xz sub 2>/dev/null || cp plain.tar xz.tar.xz
echo "not an archive" > notes.gz
