ln -s target.txt tree/link.txt
ln -s ../../../../etc/shadow tree/escape
ln -s tree/target.txt toplink
