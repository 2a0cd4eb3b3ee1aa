from smtpops.cli import main

main()
