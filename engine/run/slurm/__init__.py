"""The SLURM executor: hornq jobs that run as SLURM batch jobs on a cluster.

The engine submits with ``sbatch``, watches with ``squeue`` / ``scontrol`` / ``sacct`` and the job
directory, and cancels with ``scancel``; the job itself runs ``engine.run.slurm.worker``, which writes
progress, results and its outcome into the job directory and never touches the database.
"""
