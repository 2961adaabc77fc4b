from custbook.cli import main

main()
